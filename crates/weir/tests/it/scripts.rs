//! Host, network and system user scripts with thresholds, and their configuration
//! (`weir scripts`, `scripts.toml`), end to end: generated attack captures (SYN
//! flood, port scan, heavy hitter) replayed by the real binary into the alert store,
//! and tick counts measured through the library.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use crate::common::*;
use serde_json::Value;
use weir_decode::Timestamp;
use weir_flow::{Consumer, EndReason, Engine, EngineConfig, Flow, Host, Interface, Network, Tick};
use weir_script::{Output as ScriptOutput, Runtime, ScriptConfig};

/// Capture start (2026-01-01 00:00:00 UTC, `weir_gen::DEFAULT_START_SECS`).
const T0: u64 = weir_gen::DEFAULT_START_SECS;

fn flooder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/plugins/flooder")
}

fn tick_counter() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/plugins/tick_counter")
}

/// A 5-minute capture: 100 ordinary flows, 15,000 SYNs from 203.0.113.250 to
/// 192.168.1.5:80 during [T0+90, T0+120), a SYN scan by 192.168.1.66 from T0+180,
/// and the heavy hitter 192.168.1.42.
fn attack_capture(dir: &Path) -> PathBuf {
    let cfg = weir_gen::GenConfig {
        flows: 100,
        seed: 11,
        duration_secs: 300,
        scenarios: weir_gen::Scenarios::from_names(&["syn_flood", "port_scan", "heavy_hitter"])
            .unwrap(),
        ..Default::default()
    };
    let path = dir.join("attacks.pcap");
    let f = std::fs::File::create(&path).unwrap();
    weir_gen::write_pcap(&cfg, f).unwrap();
    path
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `weir scripts ARGS --plugins flooder --no-builtin-plugins --data-dir DATA`.
fn scripts(data: &Path, args: &[&str]) -> Output {
    let fl = flooder();
    let mut all: Vec<&str> = vec!["scripts"];
    all.extend_from_slice(args);
    all.extend_from_slice(&[
        "--plugins",
        s(&fl),
        "--no-builtin-plugins",
        "--data-dir",
        s(data),
    ]);
    weir(&all)
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}{}", stdout(o), stderr(o));
    stdout(o)
}

/// Replays the capture to the end with the flooder plugin.
fn replay(pcap: &Path, data: &Path) -> Value {
    let fl = flooder();
    let o = weir(&[
        "run",
        "--pcap",
        s(pcap),
        "--no-builtin-plugins",
        "--plugins",
        s(&fl),
        "--local-net",
        "192.168.1.0/24",
        "--data-dir",
        s(data),
        "--json",
        "--quiet",
    ]);
    let out = ok(&o);
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// The alerts of one table of the store, as NDJSON objects.
fn alerts(data: &Path, table: &str) -> Vec<Value> {
    let o = weir(&[
        "alerts",
        "--data-dir",
        s(data),
        table,
        "--json",
        "--limit",
        "10000",
    ]);
    if !o.status.success() {
        return Vec::new(); // the store is not created yet
    }
    stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `(entity value, subtype)` → number of alerts.
fn tally(v: &[Value]) -> BTreeMap<(String, String), usize> {
    let mut m = BTreeMap::new();
    for a in v {
        let k = (
            a["alert_entity_val"].as_str().unwrap_or("").to_owned(),
            a["alert_subtype"].as_str().unwrap_or("").to_owned(),
        );
        *m.entry(k).or_default() += 1;
    }
    m
}

fn key(e: &str, sub: &str) -> (String, String) {
    (e.to_owned(), sub.to_owned())
}

fn new_since(
    before: &BTreeMap<(String, String), usize>,
    after: &[Value],
) -> BTreeMap<(String, String), usize> {
    let mut m = tally(after);
    for (k, n) in before {
        if let Some(x) = m.get_mut(k) {
            *x -= n;
        }
    }
    m.retain(|_, n| *n > 0);
    m
}

#[test]
fn flooder_host_and_network_scripts_raise_and_release_threshold_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = attack_capture(dir.path());
    let data = dir.path().join("data");
    // Real time ×20: the 5-minute capture replays in about 15 s; the syslog
    // listener keeps weir running after the capture ends.
    let fl = flooder();
    let mut d = Daemon::weir(&[
        "run",
        "--pcap",
        s(&pcap),
        "--replay-speed",
        "20",
        "--syslog",
        "udp://127.0.0.1:0",
        "--no-builtin-plugins",
        "--plugins",
        s(&fl),
        "--local-net",
        "192.168.1.0/24",
        "--data-dir",
        s(&data),
        "--json",
        "--log-level",
        "info",
    ]);
    d.wait_for("syslog: listening");
    let flood_host = key("192.168.1.5@0", "host_syn_flood_victim");
    let flood_net = key("192.168.1.0/24", "network_flooder");
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut engaged_seen: BTreeMap<(String, String), Value> = BTreeMap::new();
    let mut released_during_traffic = None;
    while Instant::now() < deadline {
        for a in alerts(&data, "--engaged") {
            let k = key(
                a["alert_entity_val"].as_str().unwrap(),
                a["alert_subtype"].as_str().unwrap_or(""),
            );
            engaged_seen.entry(k).or_insert(a);
        }
        let past = alerts(&data, "--past");
        // The host alert released by the script (the flood stopped) while the
        // replay still runs: the scan of T0+180 has not been alerted yet.
        if released_during_traffic.is_none()
            && past.iter().any(|a| {
                key(
                    a["alert_entity_val"].as_str().unwrap(),
                    a["alert_subtype"].as_str().unwrap_or(""),
                ) == flood_host
            })
        {
            released_during_traffic = Some(past.clone());
        }
        if past
            .iter()
            .any(|a| a["alert_entity_val"] == "192.168.1.66@0")
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(150));
    }
    assert!(
        engaged_seen.contains_key(&flood_host),
        "the host flooder alert is engaged while the flood lasts: {engaged_seen:#?}"
    );
    assert!(
        engaged_seen.contains_key(&flood_net),
        "the network flooder alert too: {engaged_seen:#?}"
    );
    let e = &engaged_seen[&flood_host];
    assert_eq!(e["alert_tstamp"], T0 + 120, "{e}");
    assert_eq!(
        e["alert_name"], engaged_seen[&flood_net]["alert_name"],
        "one alert definition"
    );
    let during = released_during_traffic.expect("the host alert is released during the replay");
    assert!(
        !during
            .iter()
            .any(|a| a["alert_entity_val"] == "192.168.1.66@0"),
        "released before the scan is alerted: {during:#?}"
    );
    let summary = d.sigterm_json();
    assert_eq!(summary["interfaces"][0]["script_errors"], 0, "{summary}");
    assert!(
        summary["alerts"]["by_type"]["alert_flooder"]
            .as_u64()
            .unwrap()
            >= 2,
        "{summary}"
    );
    // After the replay: past alerts with their durations.
    let past = alerts(&data, "--past");
    let host = past
        .iter()
        .find(|a| a["alert_entity_val"] == "192.168.1.5@0")
        .unwrap_or_else(|| panic!("{past:#?}"));
    assert_eq!(host["alert_tstamp"], T0 + 120);
    assert_eq!(
        host["alert_tstamp_end"],
        T0 + 180,
        "released at the next minute: {host}"
    );
    let json: Value = serde_json::from_str(host["alert_json"].as_str().unwrap()).unwrap();
    assert_eq!(
        (json["threshold"].clone(), json["value"].clone()),
        (50.into(), 500.into())
    );
    assert_eq!(json["alert_generation"]["subdir"], "host");
    let net = past
        .iter()
        .find(|a| a["alert_entity_val"] == "192.168.1.0/24")
        .unwrap_or_else(|| panic!("{past:#?}"));
    assert!(net["alert_tstamp_end"].as_u64().unwrap() > net["alert_tstamp"].as_u64().unwrap());
    let scan = past
        .iter()
        .find(|a| a["alert_entity_val"] == "192.168.1.66@0")
        .unwrap_or_else(|| panic!("{past:#?}"));
    assert_eq!(scan["alert_subtype"], "syn_scan_attacker");
    assert!(
        alerts(&data, "--engaged").is_empty(),
        "all released at the end"
    );
}

/// Forwards to the runtime and counts the engine's entity ticks.
struct Counting<'a> {
    rt: &'a mut Runtime,
    host_min: HashMap<u64, u64>,
    system_min: Vec<u64>,
}

impl Consumer for Counting<'_> {
    fn protocol_detected(&mut self, now: Timestamp, flow: &mut Flow) {
        self.rt.protocol_detected(now, flow);
    }
    fn flow_end(&mut self, now: Timestamp, flow: &mut Flow, reason: EndReason) {
        self.rt.flow_end(now, flow, reason);
    }
    fn host_tick(&mut self, tick: Tick, now: Timestamp, host: &Host) {
        if tick == Tick::Min {
            *self.host_min.entry(now.as_secs()).or_default() += 1;
        }
        self.rt.host_tick(tick, now, host);
    }
    fn network_tick(&mut self, tick: Tick, now: Timestamp, n: &Network) {
        self.rt.network_tick(tick, now, n);
    }
    fn interface_tick(&mut self, tick: Tick, now: Timestamp, i: &Interface) {
        self.rt.interface_tick(tick, now, i);
    }
    fn system_tick(&mut self, tick: Tick, now: Timestamp) {
        if tick == Tick::Min {
            self.system_min.push(now.as_secs());
        }
        self.rt.system_tick(tick, now);
    }
}

/// Replays `pcap` through an engine into the runtime; returns the engine's host
/// `min` ticks per time, its system `min` ticks, and the first and last packet times.
fn count_ticks(
    pcap: &[u8],
    rt: &mut Runtime,
    mut between: impl FnMut(u64, &mut Runtime),
) -> (HashMap<u64, u64>, Vec<u64>, u64, u64) {
    // Every host local: local hosts are visited at every round (remote hosts unchanged
    // since the previous round are not).
    let mut engine = Engine::new(EngineConfig {
        local_networks: ["192.168.0.0/16", "0.0.0.0/0", "::/0"]
            .iter()
            .map(|n| n.parse().unwrap())
            .collect(),
        ..Default::default()
    });
    let mut c = Counting {
        rt,
        host_min: HashMap::new(),
        system_min: Vec::new(),
    };
    let mut r =
        weir_decode::capture::CaptureReader::new(std::io::Cursor::new(pcap.to_vec()), "gen")
            .unwrap();
    let (mut first, mut last) = (None, 0);
    while let Some(f) = r.next_frame() {
        let f = f.unwrap();
        let secs = f.ts.as_secs();
        first.get_or_insert(secs);
        if secs / 60 != last / 60 {
            between(secs, c.rt);
        }
        last = secs;
        let wire = f.orig_len.max(f.data.len() as u32);
        match weir_decode::decode(f.linktype, f.data) {
            Ok(p) => engine.process(f.ts, wire, &p, &mut c),
            Err(_) => engine.undecodable(f.ts, wire, &mut c),
        }
    }
    engine.finish(&mut c);
    c.rt.finish();
    (c.host_min, c.system_min, first.unwrap(), last)
}

#[test]
fn system_min_once_per_minute_and_host_min_once_per_host_per_minute() {
    let pcap = weir_gen::generate_to_vec(&weir_gen::GenConfig {
        flows: 400,
        seed: 5,
        duration_secs: 600,
        ..Default::default()
    })
    .0;
    let data = tempfile::tempdir().unwrap();
    let (mut rt, report) = Runtime::load(ScriptConfig {
        roots: vec![tick_counter()],
        output: ScriptOutput::Buffer,
        working_dir: data.path().to_path_buf(),
        ..ScriptConfig::default()
    })
    .unwrap();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let (host_min, system_min, first, last) = count_ticks(&pcap, &mut rt, |_, _| {});
    let out = String::from_utf8(rt.take_output()).unwrap();
    // System: one call per minute boundary the packet clock crossed, plus the
    // final tick at the end of the capture.
    let sys: Vec<u64> = out
        .lines()
        .filter_map(|l| l.strip_prefix("s "))
        .map(|l| l.split(' ').next().unwrap().parse().unwrap())
        .collect();
    let minutes = last / 60 - first / 60;
    assert!(minutes >= 10, "a 10-minute capture: {first}..{last}");
    assert_eq!(sys.len() as u64, minutes + 1, "{sys:?}");
    assert_eq!(sys, system_min);
    for (i, w) in sys[..sys.len() - 1].iter().enumerate() {
        assert_eq!(
            *w,
            (first / 60 + 1 + i as u64) * 60,
            "on the minute: {sys:?}"
        );
    }
    assert_eq!(
        *sys.last().unwrap(),
        last,
        "the final tick at the last packet"
    );
    // Hosts: exactly one call per host the engine holds at each minute.
    let mut per_when: HashMap<u64, u64> = HashMap::new();
    let mut seen: std::collections::HashSet<(String, u64)> = std::collections::HashSet::new();
    for l in out.lines().filter_map(|l| l.strip_prefix("h ")) {
        let (host, when) = l.split_once(' ').unwrap();
        let when: u64 = when.parse().unwrap();
        assert!(
            seen.insert((host.to_owned(), when)),
            "host {host} twice at {when}"
        );
        *per_when.entry(when).or_default() += 1;
    }
    assert_eq!(per_when, host_min, "one host hook call per host and minute");
    assert!(per_when.values().all(|n| *n > 10), "{per_when:?}");
    assert_eq!(per_when.len(), sys.len());
    // Networks: once per minute too; the SYN flood on 192.168.1.5 (T0+180..210)
    // shows as victim hits of its local network in the minute that ends at T0+240.
    let nets: Vec<(u64, u64)> = out
        .lines()
        .filter_map(|l| l.strip_prefix("n 192.168.0.0/16 "))
        .map(|l| {
            let (w, h) = l.split_once(' ').unwrap();
            (w.parse().unwrap(), h.parse().unwrap())
        })
        .collect();
    assert_eq!(nets.len(), sys.len(), "{nets:?}");
    for (w, h) in &nets {
        if *w == T0 + 240 {
            assert!(*h >= 250, "15,000 SYNs in the minute: {nets:?}");
        } else {
            // Other minutes: ordinary traffic, and the port scan of T0+360 (about
            // 1,000 SYNs to each of three hosts).
            assert!(*h < 100, "{nets:?}");
        }
    }
    let s = &rt.scripts();
    assert!(s.iter().all(|s| s.errors == 0), "{s:#?}");
}

#[test]
fn weir_scripts_set_applies_to_a_running_runtime_at_the_next_hook_call() {
    let pcap = weir_gen::generate_to_vec(&weir_gen::GenConfig {
        flows: 200,
        seed: 2,
        duration_secs: 600,
        ..Default::default()
    })
    .0;
    let data = tempfile::tempdir().unwrap();
    let (mut rt, _) = Runtime::load(ScriptConfig {
        roots: vec![tick_counter()],
        output: ScriptOutput::Buffer,
        working_dir: data.path().to_path_buf(),
        ..ScriptConfig::default()
    })
    .unwrap();
    let tc = tick_counter();
    let set = |args: &[&str]| {
        let mut all = vec!["scripts"];
        all.extend_from_slice(args);
        all.extend_from_slice(&[
            "--plugins",
            s(&tc),
            "--no-builtin-plugins",
            "--data-dir",
            s(data.path()),
        ]);
        ok(&weir(&all))
    };
    let mut changes = 0;
    let (_, _, first, _) = count_ticks(&pcap, &mut rt, |secs, _| {
        // Minute 4 of the capture: the CLI (another process) writes scripts.toml.
        if secs / 60 == weir_gen::DEFAULT_START_SECS / 60 + 4 && changes == 0 {
            changes += 1;
            set(&["set", "every_minute", "threshold", "42"]);
        }
        if secs / 60 == weir_gen::DEFAULT_START_SECS / 60 + 7 && changes == 1 {
            changes += 1;
            set(&["disable", "every_host"]);
        }
    });
    assert_eq!(changes, 2);
    let out = String::from_utf8(rt.take_output()).unwrap();
    let sys: Vec<(u64, String)> = out
        .lines()
        .filter_map(|l| l.strip_prefix("s "))
        .map(|l| {
            let (w, t) = l.split_once(' ').unwrap();
            (w.parse().unwrap(), t.to_owned())
        })
        .collect();
    let m = |k: u64| (first / 60 + k) * 60;
    for (w, t) in &sys {
        let want = if *w < m(4) { "5" } else { "42" };
        assert_eq!(t, want, "threshold at {w}: {sys:?}");
    }
    let hosts_after = out
        .lines()
        .filter_map(|l| l.strip_prefix("h "))
        .filter(|l| l.split(' ').nth(1).unwrap().parse::<u64>().unwrap() >= m(7))
        .count();
    assert_eq!(hosts_after, 0, "disabled from minute 7 on");
    assert!(out.lines().filter(|l| l.starts_with("h ")).count() > 0);
}

#[test]
fn a_threshold_set_with_weir_scripts_changes_the_alerts_of_the_next_replay() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = attack_capture(dir.path());
    let data = dir.path().join("data");
    let host = key("192.168.1.5@0", "host_syn_flood_victim");
    let net = key("192.168.1.0/24", "network_flooder");
    let scan = key("192.168.1.66@0", "syn_scan_attacker");

    // Defaults: SYN flood victim above 50/s, network above 100 packets/s.
    replay(&pcap, &data);
    let run1 = tally(&alerts(&data, "--past"));
    assert_eq!(run1.get(&host), Some(&1), "{run1:?}");
    assert!(
        run1.contains_key(&net) && run1.contains_key(&scan),
        "{run1:?}"
    );

    // Stricter than the flood (500 SYN/s over its 30 s): no host alert; the network
    // script disabled; nothing else changes.
    ok(&scripts(
        &data,
        &["set", "syn_flood_victim", "threshold", "1000"],
    ));
    ok(&scripts(&data, &["disable", "network/network_flooder"]));
    replay(&pcap, &data);
    let all = alerts(&data, "--past");
    let run2 = new_since(&run1, &all);
    assert_eq!(run2.get(&host), None, "{run2:?}");
    assert_eq!(run2.get(&net), None, "{run2:?}");
    assert_eq!(run2.get(&scan), run1.get(&scan), "{run2:?}");

    // An override for the victim's network brings the host alert back for it only.
    ok(&scripts(
        &data,
        &[
            "set",
            "syn_flood_victim",
            "min.threshold",
            "100",
            "--entity",
            "192.168.1.0/24",
        ],
    ));
    let before = tally(&all);
    replay(&pcap, &data);
    let run3 = new_since(&before, &alerts(&data, "--past"));
    assert_eq!(run3.get(&host), Some(&1), "{run3:?}");
    assert_eq!(run3.get(&net), None, "{run3:?}");

    let shown: Value = serde_json::from_str(&ok(&scripts(
        &data,
        &["show", "syn_flood_victim", "--json"],
    )))
    .unwrap();
    assert_eq!(shown["effective"]["min"]["conf"]["threshold"], 1000);
    assert_eq!(
        shown["entity_overrides"]["192.168.1.0/24"]["min"]["conf"]["threshold"],
        100
    );
    assert_eq!(shown["model"]["gui"]["input_builder"], "threshold_cross");
    assert_eq!(shown["model"]["defaults"]["min"]["threshold"], 50);
}

#[test]
fn weir_scripts_list_show_and_validation_errors() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = ok(&scripts(&data, &["list"]));
    for id in [
        "host/syn_flood_victim",
        "host/syn_scan_attacker",
        "network/network_flooder",
        "system/heartbeat",
    ] {
        assert!(out.contains(id), "{out}");
    }
    assert!(
        out.lines()
            .any(|l| l.starts_with("snmp_device/device_flooder")
                && l.contains("no SNMP source configured")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("system/heartbeat") && l.contains("disabled")),
        "default_enabled = false: {out}"
    );
    let v: Value = serde_json::from_str(&ok(&scripts(
        &data,
        &["list", "--subdir", "host", "--json"],
    )))
    .unwrap();
    let items = v.as_array().unwrap();
    assert_eq!(items.len(), 2, "{v}");
    assert!(items.iter().all(|i| i["subdir"] == "host"));
    let syn = items
        .iter()
        .find(|i| i["key"] == "syn_flood_victim")
        .unwrap();
    assert_eq!(
        syn["conf"]["min"],
        serde_json::json!({"operator": "gt", "threshold": 50})
    );
    assert_eq!(syn["title"], "SYN flood victim", "localized title");
    let show = ok(&scripts(&data, &["show", "syn_flood_victim"]));
    assert!(
        show.contains("threshold_cross") && show.contains("1..65535"),
        "{show}"
    );
    assert!(
        !data.join("scripts.toml").exists(),
        "reading writes nothing"
    );

    // User errors: one line, exit status 1, naming the field and what is allowed.
    let o = scripts(&data, &["set", "syn_flood_victim", "threshold", "70000"]);
    one_line_error(&o, "threshold: 70000 is out of range 1..65535");
    let o = scripts(&data, &["set", "syn_flood_victim", "operator", "lt"]);
    one_line_error(&o, "operator: this script only allows gt");
    let o = scripts(&data, &["set", "syn_flood_victim", "colour", "red"]);
    one_line_error(&o, "colour: not a field of this script");
    let o = scripts(&data, &["set", "syn_flood_victim", "hour.threshold", "5"]);
    one_line_error(&o, "`hour` is not a hook of this script (hooks: min)");
    let o = scripts(&data, &["set", "syn_flood_victim", "threshold", "abc"]);
    one_line_error(&o, "threshold: \"abc\" is not a number");
    let o = scripts(&data, &["enable", "no_such_script"]);
    one_line_error(&o, "unknown script `no_such_script`");
    let o = scripts(
        &data,
        &[
            "set",
            "syn_flood_victim",
            "threshold",
            "5",
            "--entity",
            "not-an-ip",
        ],
    );
    one_line_error(
        &o,
        "entity `not-an-ip`: not an IP address or a CIDR network",
    );
    let o = scripts(&data, &["list", "--subdir", "router"]);
    one_line_error(&o, "--subdir");
    assert!(
        !data.join("scripts.toml").exists(),
        "nothing written on errors"
    );

    // Free-form configuration (no input builder), enabling a default-disabled script.
    ok(&scripts(&data, &["set", "heartbeat", "message", "beat"]));
    ok(&scripts(&data, &["enable", "heartbeat"]));
    let text = std::fs::read_to_string(data.join("scripts.toml")).unwrap();
    assert!(
        text.contains("[script.\"system/heartbeat\"]") && text.contains("message = \"beat\""),
        "{text}"
    );
    let out = ok(&scripts(&data, &["list", "--subdir", "system"]));
    assert!(out.contains("enabled") && out.contains("beat"), "{out}");
    ok(&scripts(&data, &["unset", "heartbeat"]));
    let out = ok(&scripts(&data, &["list", "--subdir", "system"]));
    assert!(
        out.contains("disabled") && !out.contains("\"beat\""),
        "{out}"
    );
}
