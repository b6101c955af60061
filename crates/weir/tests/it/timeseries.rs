//! Timeseries acceptance: a plugin's `host:syn_received` series, written by `weir run`
//! while it replays a generated 10-minute capture, read back with `weir ts query` from
//! the embedded store and from a real InfluxDB, and compared with per-minute SYN
//! counts computed independently from the capture. Also: `kill -9` mid-run leaves
//! every series readable, and SIGTERM flushes the sink.

use crate::common;
use crate::influxd;

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::{Daemon, stderr, stdout, weir, weir_cmd};
use weir_decode::L4Repr;

/// The local network of the test (the generator's LAN).
const LAN: &str = "192.168.0.0/16";

/// Idle hosts stay 15 minutes in the host table: none is purged and re-created during
/// the 10-minute capture (which would restart its SYN counter), so the oracle can
/// predict every local host's series.
const CONFIG: &str = "[flows]\nidle_timeout_secs = 900\n";

/// A configuration file with [`CONFIG`] (and `extra`) in `dir`.
fn config_file(dir: &Path, extra: &str) -> String {
    let path = dir.join("weir.toml");
    std::fs::write(&path, format!("{CONFIG}{extra}")).unwrap();
    path.to_str().unwrap().to_string()
}

fn plugin() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/plugins/ts_syn")
}

/// A 10-minute capture with a SYN flood, generated once per test binary.
fn capture() -> &'static str {
    static PATH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        let out = common::scratch_dir().join("syn_flood.pcap");
        let o = weir(&[
            "gen-pcap",
            "--scenario",
            "syn_flood",
            "--flows",
            "300",
            "--seed",
            "11",
            "--duration",
            "600",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        out.to_str().unwrap().to_string()
    })
}

/// What the capture says, computed without the flow engine: SYNs (SYN without ACK)
/// received per host and minute, and when each host is seen.
#[derive(Default)]
struct Oracle {
    /// (host, t) → SYNs received in `[t − 60, t)`.
    syn: HashMap<(String, u64), u64>,
    /// Host → (first packet, last packet), microseconds.
    seen: HashMap<String, (u64, u64)>,
    /// Time of the first and the last packet, microseconds.
    first: u64,
    last: u64,
    /// t → frames in `[t − 60, t)`.
    frames: HashMap<u64, u64>,
}

fn host_key(ip: IpAddr, vlan: u16) -> String {
    if vlan == 0 {
        ip.to_string()
    } else {
        format!("{ip}@{vlan}")
    }
}

fn is_local(ip: IpAddr) -> bool {
    matches!(ip, IpAddr::V4(v4) if v4.octets()[0] == 192 && v4.octets()[1] == 168)
}

impl Oracle {
    fn of(path: &str) -> Oracle {
        let file = std::fs::File::open(path).unwrap();
        let mut r = weir_decode::capture::CaptureReader::new(file, path).unwrap();
        let mut o = Oracle::default();
        while let Some(f) = r.next_frame() {
            let f = f.unwrap();
            let ts = f.ts.0;
            if o.frames.is_empty() {
                o.first = ts;
            }
            o.last = o.last.max(ts);
            *o.frames.entry(ts / 60_000_000 * 60 + 60).or_default() += 1;
            let Ok(p) = weir_decode::decode(f.linktype, f.data) else {
                continue;
            };
            let Some(ip) = p.ip else { continue };
            let vlan = p.vlan().unwrap_or(0);
            for a in [ip.src, ip.dst] {
                let e = o.seen.entry(host_key(a, vlan)).or_insert((ts, ts));
                e.1 = e.1.max(ts);
            }
            if let Some(L4Repr::Tcp(t)) = p.l4
                && t.flags & 0x12 == 0x02
            {
                let minute_end = ts / 60_000_000 * 60 + 60;
                *o.syn
                    .entry((host_key(ip.dst, vlan), minute_end))
                    .or_default() += 1;
            }
        }
        o
    }

    /// The points `host:syn_received` must hold: for every local host, from its
    /// second minute tick (the first has no rate) to the last regular tick, the SYNs
    /// of each minute. (Hosts stay in the host table: the runs keep idle hosts for 15
    /// minutes, see [`CONFIG`].)
    fn expected(&self) -> BTreeMap<(String, u64), u64> {
        let last_tick = self.last / 60_000_000 * 60;
        let mut out = BTreeMap::new();
        for (host, &(first, _)) in &self.seen {
            let ip: IpAddr = host.split('@').next().unwrap().parse().unwrap();
            if !is_local(ip) {
                continue;
            }
            let first_tick = first / 60_000_000 * 60 + 60;
            let mut t = first_tick + 60;
            while t <= last_tick {
                let n = self.syn.get(&(host.clone(), t)).copied().unwrap_or(0);
                out.insert((host.clone(), t), n);
                t += 60;
            }
        }
        out
    }
}

impl Oracle {
    /// The points `iface:packets_vs_drops` must hold: frames per minute, no drops.
    fn packets(&self) -> BTreeMap<u64, (u64, u64)> {
        let (first_tick, last_tick) = (
            self.first / 60_000_000 * 60 + 60,
            self.last / 60_000_000 * 60,
        );
        (first_tick + 60..=last_tick)
            .step_by(60)
            .map(|t| (t, (self.frames.get(&t).copied().unwrap_or(0), 0)))
            .collect()
    }
}

/// `weir ts query host:syn_received --json ARGS` → (host, time) → SYNs in the minute.
fn queried(args: &[&str]) -> BTreeMap<(String, u64), u64> {
    let mut a = vec!["ts", "query", "host:syn_received", "--json"];
    a.extend_from_slice(args);
    let o = weir(&a);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut out = BTreeMap::new();
    for line in stdout(&o).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["tags"]["ifid"], "0", "{line}");
        let per_sec = v["metrics"]["syn"].as_f64().unwrap();
        let per_min = per_sec * 60.0;
        assert!(
            (per_min - per_min.round()).abs() < 1e-6,
            "not a whole number of SYNs: {line}"
        );
        let key = (
            v["tags"]["host"].as_str().unwrap().to_string(),
            v["time"].as_u64().unwrap(),
        );
        assert!(out.insert(key, per_min.round() as u64).is_none(), "{line}");
    }
    out
}

fn run_json(args: &[&str]) -> serde_json::Value {
    let o = weir(args);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(stdout(&o).trim()).unwrap()
}

#[test]
fn plugin_series_match_the_capture_in_the_embedded_store_and_influxdb() {
    let pcap = capture();
    let oracle = Oracle::of(pcap);
    let expected = oracle.expected();
    let (first, last) = (
        expected.keys().map(|k| k.1).min().unwrap(),
        expected.keys().map(|k| k.1).max().unwrap(),
    );
    assert!(
        last - first >= 7 * 60,
        "a 10-minute capture: {first}..{last}"
    );
    let victim_syns: u64 = expected.values().copied().max().unwrap();
    assert!(
        victim_syns > 1000,
        "the SYN flood is in the expected values"
    );
    let range = [
        "--from".to_string(),
        (first - 60).to_string(),
        "--to".to_string(),
        (last + 60).to_string(),
    ];
    let range: Vec<&str> = range.iter().map(String::as_str).collect();

    // Embedded store (the default backend), with the built-in plugins running too.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let p = plugin();
    let conf = config_file(dir.path(), "");
    let summary = run_json(&[
        "run",
        "--config",
        &conf,
        "--pcap",
        pcap,
        "--plugins",
        p.to_str().unwrap(),
        "--local-net",
        LAN,
        "--data-dir",
        d,
        "--json",
        "--quiet",
    ]);
    let ts = &summary["timeseries"];
    assert_eq!(ts["backend"], "embedded", "{summary}");
    assert_eq!(ts["stats"]["failed"], 0, "{ts}");
    assert_eq!(ts["stats"]["overflow"], 0, "{ts}");
    assert_eq!(ts["stats"]["invalid"], 0, "{ts}");
    assert!(ts["stats"]["written"].as_u64().unwrap() > 500, "{ts}");
    assert_eq!(summary["interfaces"][0]["script_errors"], 0, "{summary}");
    let mut args = vec!["--data-dir", d];
    args.extend_from_slice(&range);
    let embedded = queried(&args);
    assert_eq!(embedded, expected);
    // A built-in series: frames per minute, from the engine's interface counters.
    let mut args = vec![
        "ts",
        "query",
        "iface:packets_vs_drops",
        "--json",
        "--data-dir",
        d,
    ];
    args.extend_from_slice(&range);
    let o = weir(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let packets: BTreeMap<u64, (u64, u64)> = stdout(&o)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let per_min = |m: &str| (v["metrics"][m].as_f64().unwrap() * 60.0).round() as u64;
            (
                v["time"].as_u64().unwrap(),
                (per_min("packets"), per_min("drops")),
            )
        })
        .collect();
    assert_eq!(packets, oracle.packets());
    // `weir ts list` shows the plugin's schema with its file, and the built-ins.
    let o = weir(&["ts", "list", "--data-dir", d]);
    assert!(o.status.success(), "{}", stderr(&o));
    let list = stdout(&o);
    assert!(
        list.contains("host:syn_received  step 60 s")
            && list.contains("/ts_syn/ts_schemas/min.lua"),
        "{list}"
    );
    for builtin in [
        "iface:traffic ",
        "iface:flows ",
        "host:traffic ",
        "subnet:traffic ",
    ] {
        assert!(list.contains(builtin), "{builtin}: {list}");
    }

    // InfluxDB: the same run, the same answers.
    let server = influxd::Influxd::start();
    let db = format!("{}/weir_acceptance", server.url);
    let flag = format!("influxdb={db}");
    let dir2 = tempfile::tempdir().unwrap();
    let d2 = dir2.path().to_str().unwrap();
    let conf2 = config_file(dir2.path(), "");
    let summary = run_json(&[
        "run",
        "--config",
        &conf2,
        "--pcap",
        pcap,
        "--plugins",
        p.to_str().unwrap(),
        "--no-builtin-plugins",
        "--local-net",
        LAN,
        "--data-dir",
        d2,
        "--timeseries",
        &flag,
        "--json",
        "--quiet",
    ]);
    let ts = &summary["timeseries"];
    assert_eq!(ts["backend"], "influxdb", "{summary}");
    assert_eq!(ts["stats"]["failed"], 0, "{ts}");
    assert_eq!(ts["influxdb"]["buffered_points"], 0, "{ts}");
    assert_eq!(ts["influxdb"]["dropped_points"], 0, "{ts}");
    assert_eq!(ts["influxdb"]["rejected_points"], 0, "{ts}");
    assert!(
        ts["influxdb"]["sent_points"].as_u64().unwrap() > 500,
        "{ts}"
    );
    assert!(
        !dir2.path().join(weir_ts::DB_FILE).exists(),
        "no embedded store with InfluxDB"
    );
    let mut args = vec![
        "--influxdb",
        &db,
        "--plugins",
        p.to_str().unwrap(),
        "--data-dir",
        d2,
    ];
    args.extend_from_slice(&range);
    let influx = queried(&args);
    assert_eq!(influx, expected);
    assert_eq!(influx, embedded, "InfluxDB and the embedded store agree");

    // The same through a configuration file naming InfluxDB.
    let conf = dir2.path().join("query.toml");
    std::fs::write(
        &conf,
        format!(
            "[timeseries]\nbackend = \"influxdb\"\ninfluxdb_url = \"{db}\"\n[plugins]\ndirs = [{:?}]\n",
            p.to_str().unwrap()
        ),
    )
    .unwrap();
    let mut args = vec!["--config", conf.to_str().unwrap(), "--data-dir", d2];
    args.extend_from_slice(&range);
    assert_eq!(queried(&args), influx);
    let o = weir(&[
        "ts",
        "list",
        "--config",
        conf.to_str().unwrap(),
        "--data-dir",
        d2,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("host:syn_received  step 60 s"),
        "{}",
        stdout(&o)
    );
}

/// Waits (60 s at most) until the store in `dir` lists at least one series.
fn wait_for_series(dir: &Path) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let o = weir(&["ts", "list", "--json", "--data-dir", dir.to_str().unwrap()]);
        if o.status.success() && !stdout(&o).trim().is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no series written: {}",
            stderr(&o)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Every series of the store is readable: the file passes SQLite's integrity check,
/// and `weir ts list` and `weir ts query` read every schema.
fn check_readable(dir: &Path) -> usize {
    let store = weir_ts::EmbeddedStore::open_existing(dir).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let d = dir.to_str().unwrap();
    let o = weir(&["ts", "list", "--json", "--data-dir", d]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut by_schema: BTreeMap<String, usize> = BTreeMap::new();
    for line in stdout(&o).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        *by_schema
            .entry(v["schema"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    for (schema, n) in &by_schema {
        let o = weir(&["ts", "query", schema, "--json", "--data-dir", d]);
        assert!(o.status.success(), "{schema}: {}", stderr(&o));
        for line in stdout(&o).lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert!(v["time"].as_u64().is_some(), "{line}");
        }
        use weir_ts::TsQuery;
        let series = store.list_series(schema, &[]).unwrap();
        assert_eq!(series.len(), *n);
        for s in series {
            let mut q = weir_ts::Query::new(schema);
            q.tags = s.tags.clone();
            store.query(&q).unwrap();
        }
    }
    by_schema.values().sum()
}

#[test]
fn kill_9_mid_run_leaves_every_series_readable_and_sigterm_flushes() {
    let pcap = capture();
    let p = plugin();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    // 10 minutes of packets at 30× speed: about 20 s, killed once series exist.
    let args = [
        "run",
        "--pcap",
        pcap,
        "--plugins",
        p.to_str().unwrap(),
        "--local-net",
        LAN,
        "--data-dir",
        d,
        "--replay-speed",
        "30",
        "--json",
        "--quiet",
        // The INFO line the next run is waited on ("active scripts").
        "--log-level",
        "info",
    ];
    let mut child = weir_cmd()
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_for_series(dir.path());
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-KILL", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = child.wait().unwrap();
    assert!(!status.success(), "killed, not finished: {status}");
    assert!(check_readable(dir.path()) > 0);

    // The next run on the same store goes on; SIGTERM ends it with every point
    // received written.
    let mut daemon = Daemon::spawn({
        let mut c = weir_cmd();
        c.args(args);
        c
    });
    daemon.wait_for("active scripts");
    let before = check_readable(dir.path());
    std::thread::sleep(Duration::from_millis(1500));
    let summary = daemon.sigterm_json();
    let st = &summary["timeseries"]["stats"];
    assert_eq!(st["failed"], 0, "{summary}");
    assert_eq!(st["overflow"], 0, "{summary}");
    let received = st["received"].as_u64().unwrap();
    let accounted = ["written", "cardinality", "out_of_order", "invalid"]
        .iter()
        .map(|k| st[k].as_u64().unwrap())
        .sum::<u64>();
    assert_eq!(received, accounted, "{summary}");
    assert!(check_readable(dir.path()) >= before);
}

#[test]
fn timeseries_off_and_bad_specs() {
    let pcap = capture();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let p = plugin();
    let summary = run_json(&[
        "run",
        "--pcap",
        pcap,
        "--plugins",
        p.to_str().unwrap(),
        "--no-builtin-plugins",
        "--data-dir",
        d,
        "--timeseries",
        "off",
        "--json",
        "--quiet",
    ]);
    assert!(summary.get("timeseries").is_none(), "{summary}");
    assert_eq!(summary["interfaces"][0]["script_errors"], 0, "{summary}");
    assert!(!dir.path().join(weir_ts::DB_FILE).exists());
    for (spec, needle) in [
        ("rrd", "expected embedded, off or influxdb="),
        ("influxdb=ftp://x/y", "http://HOST:PORT/DBNAME"),
        ("influxdb=http://127.0.0.1:1", "database name is missing"),
    ] {
        let o = weir(&["run", "--pcap", pcap, "--data-dir", d, "--timeseries", spec]);
        common::one_line_error(&o, needle);
    }
}
