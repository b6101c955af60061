//! Host visit cost: 100k local hosts visited by the `min` tick with (a) no host
//! script, (b) one threshold script (SYN flood victim, as ntopng's), (c) six (SYN
//! flood, flow flood and SYN scan, attacker and victim), against a bare mlua call of
//! a no-op hook with a fresh `params` table per host, measured in the same run.
//!
//! Each round visits every host once (`host_tick(min)`) then ticks the system, as
//! the engine does each minute; 1% of the hosts receive a SYN flood every round, so
//! alerts are triggered and released. A summary with ns per host per round is
//! printed once (three rounds per case), then criterion measures one round.
//!
//! `WEIR_BENCH_HOSTS=N` changes the number of hosts and `WEIR_BENCH_CASES=c_six` picks
//! cases, to profile a smaller run: `WEIR_BENCH_HOSTS=3000 WEIR_BENCH_CASES=c_six
//! valgrind --tool=callgrind target/release/deps/hosts-* --bench none`.

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use weir_decode::Timestamp;
use weir_flow::{Consumer, Engine, EngineConfig, Host, Tick};
use weir_script::{Output, Runtime, ScriptConfig};

/// Hosts per round (`WEIR_BENCH_HOSTS` overrides it, e.g. to profile a smaller run
/// under valgrind).
fn host_count() -> usize {
    std::env::var("WEIR_BENCH_HOSTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}
const ROUNDS: usize = 3;

/// One real host (from a generated capture), as the template of the 100k.
#[derive(Default)]
struct Grab(Option<Host>);

impl Consumer for Grab {
    fn host_tick(&mut self, _tick: Tick, _now: Timestamp, host: &Host) {
        if self.0.is_none() {
            self.0 = Some(host.clone());
        }
    }
}

fn hosts() -> Vec<Host> {
    let (pcap, _) = weir_gen::generate_to_vec(&weir_gen::GenConfig {
        flows: 20,
        seed: 3,
        ..Default::default()
    });
    let mut engine = Engine::new(EngineConfig::default());
    let mut g = Grab::default();
    let mut r = weir_decode::capture::CaptureReader::new(&pcap[..], "bench").expect("capture");
    while let Some(Ok(f)) = r.next_frame() {
        let wire = f.orig_len.max(f.data.len() as u32);
        if let Ok(p) = weir_decode::decode(f.linktype, f.data) {
            engine.process(f.ts, wire, &p, &mut g);
        }
    }
    engine.finish(&mut g);
    let t = g.0.expect("a host");
    (0..host_count())
        .map(|i| {
            let mut h = t.clone();
            let i = u32::try_from(i).expect("index");
            h.ip = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 | i));
            h.vlan = 0;
            h.local = true;
            h
        })
        .collect()
}

/// The six host scripts, written like ntopng 4.2's (`threshold_cross` GUI,
/// `checkThresholdAlert` with the built-in flood/scan alert types).
fn six(dir: &Path) -> PathBuf {
    let d = dir.join("six/user_scripts/host");
    std::fs::create_dir_all(&d).expect("dir");
    for (key, getter, alert, threshold) in [
        (
            "syn_flood_attacker",
            "getSynFlood",
            "alert_tcp_syn_flood",
            50,
        ),
        ("syn_flood_victim", "getSynFlood", "alert_tcp_syn_flood", 50),
        (
            "flow_flood_attacker",
            "getFlowFlood",
            "alert_flows_flood",
            50,
        ),
        ("flow_flood_victim", "getFlowFlood", "alert_flows_flood", 50),
        ("syn_scan_attacker", "getSynScan", "alert_tcp_syn_scan", 25),
        ("syn_scan_victim", "getSynScan", "alert_tcp_syn_scan", 25),
    ] {
        std::fs::write(
            d.join(format!("{key}.lua")),
            format!(
                r#"local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")
local user_scripts = require("user_scripts")
local script = {{
  category = user_scripts.script_categories.security,
  default_value = {{ operator = "gt", threshold = {threshold} }},
  hooks = {{}},
  gui = {{ i18n_title = "{key}", i18n_description = "{key}", input_builder = "threshold_cross",
          field_min = 1, field_max = 65535, field_operator = "gt" }},
}}
function script.hooks.min(params)
  local value = host.{getter}()["hits.{key}"] or 0
  alerts_api.checkThresholdAlert(params, alert_consts.alert_types.{alert}, value)
end
return script
"#
            ),
        )
        .expect("write");
    }
    dir.join("six")
}

/// Only the SYN flood victim script of the six.
fn one(dir: &Path) -> PathBuf {
    let six = six(&dir.join("src"));
    let d = dir.join("one/user_scripts/host");
    std::fs::create_dir_all(&d).expect("dir");
    std::fs::copy(
        six.join("user_scripts/host/syn_flood_victim.lua"),
        d.join("syn_flood_victim.lua"),
    )
    .expect("copy");
    dir.join("one")
}

fn runtime(roots: Vec<PathBuf>, data: &Path) -> Runtime {
    let (rt, report) = Runtime::load(ScriptConfig {
        roots,
        output: Output::Discard,
        working_dir: data.to_path_buf(),
        local_networks: vec!["10.0.0.0/8".parse().expect("cidr")],
        ..ScriptConfig::default()
    })
    .expect("runtime");
    assert!(report.errors().next().is_none(), "{:?}", report.problems);
    rt
}

/// One `min` round at `now` (seconds): every host, then the system tick.
fn round(rt: &mut Runtime, hosts: &mut [Host], now: u64) {
    let r = now / 60;
    // 1% of the hosts are flooded this round (a different 1% each round).
    for h in hosts.iter_mut().skip((r % 100) as usize).step_by(100) {
        h.syn_rcvd += 10_000;
    }
    let ts = Timestamp(now * 1_000_000);
    for h in hosts.iter() {
        rt.host_tick(Tick::Min, ts, h);
    }
    rt.system_tick(Tick::Min, ts);
}

/// A no-op Lua hook called with a fresh params table per host (the fields the
/// runtime passes), in a plain VM.
fn bare_round(lua: &mlua::Lua, f: &mlua::Function, hosts: &[Host], now: u64) {
    for h in hosts {
        let p = lua.create_table().expect("table");
        p.raw_set("granularity", "min").expect("set");
        p.raw_set("when", now).expect("set");
        p.raw_set("ifid", 0).expect("set");
        p.raw_set("ts_enabled", false).expect("set");
        let e = lua.create_table().expect("table");
        e.raw_set("ip", h.ip.to_string()).expect("set");
        e.raw_set("vlan", h.vlan).expect("set");
        p.raw_set("entity_info", e).expect("set");
        p.raw_set("cur_alerts", lua.create_table().expect("table"))
            .expect("set");
        f.call::<()>(black_box(&p)).expect("call");
    }
}

fn per_host(d: Duration, rounds: usize, hosts: usize) -> f64 {
    d.as_secs_f64() * 1e9 / (rounds * hosts) as f64
}

fn bench(c: &mut Criterion) {
    let mut hosts = hosts();
    let tmp = std::env::temp_dir().join(format!("weir-bench-hosts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let empty = tmp.join("empty");
    let data = tmp.join("data");
    std::fs::create_dir_all(&empty).expect("dir");
    std::fs::create_dir_all(&data).expect("dir");
    // `WEIR_BENCH_CASES=c_six` runs only the cases whose name contains one of the
    // comma-separated words (e.g. to profile one under valgrind).
    let only = std::env::var("WEIR_BENCH_CASES").unwrap_or_default();
    let cases: Vec<(&str, PathBuf)> = vec![
        ("a_no_host_script", empty),
        ("b_one_threshold_script", one(&tmp.join("one"))),
        ("c_six_scripts", six(&tmp.join("six_src"))),
    ]
    .into_iter()
    .filter(|(name, _)| only.is_empty() || only.split(',').any(|w| name.contains(w.trim())))
    .collect();
    let lua = mlua::Lua::new();
    let f: mlua::Function = lua.load("return function(params) end").eval().expect("fn");
    let t0 = weir_gen::DEFAULT_START_SECS;
    eprintln!(
        "\nhosts bench: {} local hosts, {ROUNDS} min rounds per case",
        hosts.len()
    );
    let start = Instant::now();
    for r in 0..ROUNDS {
        bare_round(&lua, &f, &hosts, t0 + 60 * r as u64);
    }
    let bare = per_host(start.elapsed(), ROUNDS, hosts.len());
    eprintln!("  bare mlua hook call + params table : {bare:8.1} ns per host per round");
    for (name, dir) in &cases {
        let mut rt = runtime(vec![dir.clone()], &data);
        // Warm-up round (first counters of every host).
        round(&mut rt, &mut hosts, t0);
        let start = Instant::now();
        for r in 1..=ROUNDS {
            round(&mut rt, &mut hosts, t0 + 60 * r as u64);
        }
        let ns = per_host(start.elapsed(), ROUNDS, hosts.len());
        let calls: u64 = rt.scripts().iter().map(|s| s.calls).sum();
        let errors: u64 = rt.scripts().iter().map(|s| s.errors).sum();
        assert_eq!(errors, 0, "{:?}", rt.scripts());
        let stats = rt.with_alerts(|a| a.stats());
        eprintln!(
            "  {name:<34} : {ns:8.1} ns per host per round ({:.2}x bare; {calls} hook calls, {} alerts engaged, {} released)",
            ns / bare,
            stats.engaged,
            stats.released
        );
    }
    let mut g = c.benchmark_group("hosts");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements(hosts.len() as u64));
    g.bench_function("bare_lua_call", |b| {
        let mut now = t0;
        b.iter(|| {
            now += 60;
            bare_round(&lua, &f, &hosts, now);
        });
    });
    for (name, dir) in &cases {
        let mut rt = runtime(vec![dir.clone()], &data);
        let mut now = t0;
        g.bench_function(*name, |b| {
            b.iter(|| {
                now += 60;
                round(&mut rt, &mut hosts, now);
            });
        });
    }
    g.finish();
    let _ = std::fs::remove_dir_all(&tmp);
}

criterion_group!(benches, bench);
criterion_main!(benches);
