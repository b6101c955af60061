//! The random-source SYN flood (issue 17): `weir run` with every built-in plugin
//! survives it with lowered table limits, reports the evictions and names the victim,
//! and the host table and the Lua side stay bounded whatever the number of sources.

use std::path::Path;

use weir_decode::{LinkType, Timestamp, decode};
use weir_flow::{Engine, EngineConfig};
use weir_script::{Output, Runtime, ScriptConfig};

use crate::common::{stderr, stdout, weir};

const VICTIM: &str = "192.168.1.5@0";

fn gen_flood(dir: &Path, sources: u64) -> String {
    let out = dir.join("flood.pcap");
    let o = weir(&[
        "gen-pcap",
        "--syn-flood",
        &sources.to_string(),
        "--seed",
        "3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(&format!("{sources} flows")),
        "{}",
        stdout(&o)
    );
    out.to_str().unwrap().to_owned()
}

#[test]
fn weir_run_survives_a_random_source_syn_flood_and_names_the_victim() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = gen_flood(dir.path(), 100_000);
    let cfg = dir.path().join("weir.toml");
    std::fs::write(&cfg, "[flows]\nmax_hosts = 10000\nmax_flows = 5000\n").unwrap();
    let data = dir.path().join("data");
    let o = weir(&[
        "run",
        "-q",
        "--json",
        "-c",
        cfg.to_str().unwrap(),
        "--pcap",
        &pcap,
        "--data-dir",
        data.to_str().unwrap(),
        "--timeseries",
        "off",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    let i = &v["interfaces"][0];
    assert_eq!(i["packets"], 100_000);
    assert_eq!(i["hosts"], 100_001, "every source and the victim");
    // The table held 10,000 hosts: the rest were evicted to make room. With N worker
    // shards (the default: the cores but one) each holds `max_hosts / N` hosts and `max_flows
    // / N` flows of its own; the victim, seen by every worker, takes a slot in each,
    // so N - 1 more sources are evicted, plus the remainders of the divisions
    // (docs/decisions.md §10).
    let n = std::thread::available_parallelism().map_or(1, |n| n.get().min(8)) as u64;
    let evicted = i["hosts_evicted"].as_u64().unwrap();
    assert!(
        (100_001 - 10_000..=100_001 - 10_000 + 2 * n).contains(&evicted),
        "{evicted} hosts evicted"
    );
    let evicted = i["flows_evicted"].as_u64().unwrap();
    assert!(
        (100_000 - 5_000..=100_000 - 5_000 + n).contains(&evicted),
        "{evicted} flows evicted"
    );
    assert_eq!(i["script_errors"], 0, "{i}");
    assert_eq!(i["failing_scripts"], serde_json::json!([]), "{i}");
    assert_eq!(v["alerts"]["by_plugin"]["host_table_full"], 1, "{v}");
    // Spoofed sources in local-looking ranges (shared address space) answered by
    // nobody make no ghost networks.
    assert!(
        v["alerts"]["by_plugin"].get("ghost_networks").is_none(),
        "{v}"
    );

    let o = weir(&[
        "alerts",
        "--data-dir",
        data.to_str().unwrap(),
        "--ip",
        "192.168.1.5",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let alerts: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let flood = alerts.iter().find(|a| {
        a["alert_name"] == "alert_tcp_syn_flood"
            && a["alert_subtype"] == "syn_flood_victim"
            && a["alert_entity_val"] == VICTIM
    });
    let flood = flood.unwrap_or_else(|| panic!("no SYN flood alert on the victim: {alerts:#?}"));
    // 100,000 SYNs in 30 s: more than 3,000 a second, sustained.
    let params: serde_json::Value =
        serde_json::from_str(flood["alert_json"].as_str().unwrap()).unwrap();
    assert!(params["value"].as_u64().unwrap() > 3000, "{params}");
    // No SYN flood alert on the sources: each sent one SYN.
    let o = weir(&[
        "alerts",
        "--data-dir",
        data.to_str().unwrap(),
        "--json",
        "--limit",
        "100000",
    ]);
    assert!(
        !stdout(&o).contains("syn_flood_attacker"),
        "a source alerted as a SYN flood attacker"
    );
}

/// Replays `sources` SYNs from distinct sources through the engine and the runtime
/// with every built-in plugin, checking the bounds every `every` packets.
fn bounded_under(sources: u64, max_hosts: usize, max_flows: usize, every: u64) {
    let (plugins, problems) = weir_pipeline::builtin::sources();
    assert!(problems.is_empty(), "{problems:#?}");
    let (mut rt, report) = Runtime::load(ScriptConfig {
        sources: plugins,
        output: Output::Buffer,
        ..ScriptConfig::default()
    })
    .expect("VM");
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let mut engine = Engine::new(EngineConfig {
        max_hosts,
        max_flows,
        local_networks: vec!["192.168.1.0/24".parse().unwrap()],
        ..EngineConfig::default()
    });
    let flood = weir_gen::SynFloodConfig {
        sources,
        seed: 5,
        ..Default::default()
    };
    let (mut n, mut peak_lua) = (0u64, 0usize);
    let base_lua = rt.used_memory();
    weir_gen::for_each_syn_flood_frame(&flood, |ts, frame| {
        let pkt = decode(LinkType::Ethernet, frame).expect("a generated frame decodes");
        engine.process(Timestamp(ts), frame.len() as u32, &pkt, &mut rt);
        n += 1;
        if n % every == 0 {
            assert!(
                engine.hosts().len() <= max_hosts,
                "{} hosts",
                engine.hosts().len()
            );
            assert!(engine.flows().len() <= max_flows);
            peak_lua = peak_lua.max(rt.used_memory());
            let _ = rt.take_events();
        }
        Ok(())
    })
    .unwrap();
    engine.finish(&mut rt);
    let _ = rt.take_events();
    peak_lua = peak_lua.max(rt.used_memory());
    let i = engine.interface();
    assert_eq!(i.hosts_created, sources + 1);
    // 30 s of capture: no idle purge ran, every host that left was evicted.
    assert_eq!(i.hosts_evicted, sources + 1 - engine.hosts().len() as u64);
    assert_eq!(i.hosts_untracked, 0);
    assert!(engine.hosts().len() <= max_hosts);
    assert!(
        rt.report().scripts.iter().all(|s| !s.disabled),
        "no script disabled"
    );
    // What the Lua side holds does not grow with the sources: a few MiB above the
    // loaded plugins, whatever `sources` is.
    assert!(
        peak_lua < base_lua + (16 << 20),
        "Lua memory {} -> {} bytes",
        base_lua,
        peak_lua
    );
}

#[test]
fn host_table_and_lua_state_stay_bounded_under_a_flood() {
    // 50 times the host table: every source is evicted in turn.
    bounded_under(100_000, 2_000, 1_000, 5_000);
}

/// The 10-million-source version (slow in a debug build: run it with
/// `cargo test --release -p weir --test it -- --ignored flood::`).
#[test]
#[ignore]
fn host_table_and_lua_state_stay_bounded_under_ten_million_sources() {
    bounded_under(10_000_000, 20_000, 10_000, 100_000);
}
