//! Worker shards give the results of one engine: generated captures replayed with 1, 2
//! and 4 workers give the same flows (keys, counters, L7, statuses, end times) and the
//! same entity ticks (hosts, networks, interface: time and counters).

use proptest::prelude::*;
use weir_decode::Timestamp;
use weir_flow::{Consumer, EndReason, Engine, Flow, Host, Interface, Network, Tick};
use weir_pipeline::config::Config;
use weir_pipeline::engine::Driver;
use weir_pipeline::run::{ExecOptions, execute};
use weir_pipeline::shards::ShardReport;

/// Records every flow event and entity tick as a line.
#[derive(Debug, Default)]
struct Rec(Vec<String>);

impl Consumer for Rec {
    fn protocol_detected(&mut self, now: Timestamp, f: &mut Flow) {
        self.0.push(format!(
            "detected {:?} {} {}",
            f.key,
            now.0,
            f.l7.proto().name()
        ));
    }
    fn status_changed(&mut self, now: Timestamp, f: &mut Flow) {
        self.0
            .push(format!("status {:?} {} {:x}", f.key, now.0, f.status_map));
    }
    fn flow_end(&mut self, now: Timestamp, f: &mut Flow, reason: EndReason) {
        let d = &f.dir;
        self.0.push(format!(
            "end {:?} {} {reason:?} {}/{} {}/{} {} {}..{} {:x} {:?}",
            f.key,
            now.0,
            d[0].packets,
            d[0].bytes,
            d[1].packets,
            d[1].bytes,
            f.l7.proto().name(),
            f.first_seen.0,
            f.last_seen.0,
            f.status_map,
            f.client(),
        ));
    }
    fn host_tick(&mut self, t: Tick, now: Timestamp, h: &Host) {
        let mut l7: Vec<String> =
            h.l7.iter()
                .map(|e| format!("{}={}/{}", e.proto.0, e.bytes, e.flows))
                .collect();
        // Every protocol is kept, so the breakdown is a sum; only its order differs.
        l7.sort();
        self.0.push(format!(
            "host {} {} {}@{} {}/{} {}/{} flows {}/{} active {}/{} syn {}/{}/{}/{} rst {} score {:?} peers {} ports {} first {} last {} l7 {l7:?} app {:?} peaks {:?}",
            t.name(),
            now.0,
            h.ip,
            h.vlan,
            h.packets_sent,
            h.bytes_sent,
            h.packets_rcvd,
            h.bytes_rcvd,
            h.total_flows_as_client,
            h.total_flows_as_server,
            h.active_flows_as_client,
            h.active_flows_as_server,
            h.syn_sent,
            h.syn_rcvd,
            h.synack_sent,
            h.synack_rcvd,
            h.rst_sent,
            h.score,
            h.contacted_peers.estimate(),
            h.contacted_ports.estimate(),
            h.first_seen.0,
            h.last_seen.0,
            h.app,
            [&h.syn_peak[0], &h.syn_peak[1], &h.flow_peak[0], &h.flow_peak[1]]
                .map(|p| p.peak_in_minute_to(now.as_secs())),
        ));
    }
    fn network_tick(&mut self, t: Tick, now: Timestamp, n: &Network) {
        self.0.push(format!("network {} {} {n:?}", t.name(), now.0));
    }
    fn interface_tick(&mut self, t: Tick, now: Timestamp, i: &Interface) {
        self.0.push(format!(
            "iface {} {} {} {} non-ip {} err {} frag {} flows {}/{}/{} hosts {} local {} l4 {:?} l7 {:?} drops {} tp {}",
            t.name(),
            now.0,
            i.packets,
            i.bytes,
            i.non_ip,
            i.decode_errors,
            i.fragments,
            i.flows_created,
            i.flows_ended,
            i.flows_idle,
            i.hosts_in_table,
            i.local_hosts,
            i.l4,
            i.l7,
            i.drops,
            i.throughput_pps,
        ));
    }
    fn host_purged(&mut self, now: Timestamp, h: &Host) {
        self.0.push(format!("purged {} {}@{}", now.0, h.ip, h.vlan));
    }
}

impl Driver for Rec {
    type Report = Vec<String>;
    fn finish(self, _engine: &Engine) -> Vec<String> {
        self.0
    }
}

/// Worker shards report their events next to the coordinator's.
struct Lines(Vec<String>);

impl ShardReport for Lines {
    fn absorb(&mut self, other: Lines) {
        self.0.extend(other.0);
    }
}

struct RecDriver(Rec);

impl Consumer for RecDriver {
    fn protocol_detected(&mut self, now: Timestamp, f: &mut Flow) {
        self.0.protocol_detected(now, f);
    }
    fn status_changed(&mut self, now: Timestamp, f: &mut Flow) {
        self.0.status_changed(now, f);
    }
    fn flow_end(&mut self, now: Timestamp, f: &mut Flow, r: EndReason) {
        self.0.flow_end(now, f, r);
    }
    fn host_tick(&mut self, t: Tick, now: Timestamp, h: &Host) {
        self.0.host_tick(t, now, h);
    }
    fn network_tick(&mut self, t: Tick, now: Timestamp, n: &Network) {
        self.0.network_tick(t, now, n);
    }
    fn interface_tick(&mut self, t: Tick, now: Timestamp, i: &Interface) {
        self.0.interface_tick(t, now, i);
    }
    fn host_purged(&mut self, now: Timestamp, h: &Host) {
        self.0.host_purged(now, h);
    }
}

impl Driver for RecDriver {
    type Report = Lines;
    fn finish(self, engine: &Engine) -> Lines {
        Lines(self.0.finish(engine))
    }
}

/// Replays `path` with `workers` shards; every event line, sorted.
fn replay(path: &std::path::Path, workers: usize, local: &[&str]) -> Vec<String> {
    let mut cfg = Config::default();
    cfg.sources.pcap = vec![path.to_path_buf()];
    cfg.run.workers = workers;
    cfg.local_networks = local.iter().map(|s| s.to_string()).collect();
    let out = execute(
        &cfg,
        ExecOptions {
            quiet: true,
            ..ExecOptions::default()
        },
        |_, _| Ok(RecDriver(Rec::default())),
    )
    .unwrap();
    let mut lines = Vec::new();
    for i in out.interfaces {
        lines.extend(i.report.0);
        let s = i.summary;
        lines.push(format!(
            "summary {} {} {} hosts {} {:?} {:?} {:?}",
            s.packets, s.bytes, s.flows, s.hosts, s.l4, s.top_protocols, s.time_span
        ));
    }
    lines.sort();
    lines
}

fn first_difference(a: &[String], b: &[String]) -> String {
    let cut = |l: &String| l.chars().take(600).collect::<String>();
    let only_a: Vec<String> = a
        .iter()
        .filter(|l| !b.contains(l))
        .take(4)
        .map(cut)
        .collect();
    let only_b: Vec<String> = b
        .iter()
        .filter(|l| !a.contains(l))
        .take(4)
        .map(cut)
        .collect();
    format!("1 worker only: {only_a:#?}\nN workers only: {only_b:#?}")
}

fn check(flows: usize, seed: u64, scenarios: bool, local: &[&str]) {
    let mut gen_cfg = weir_gen::GenConfig {
        flows,
        seed,
        ..Default::default()
    };
    if !scenarios {
        gen_cfg = gen_cfg.without_scenarios();
    }
    let (bytes, _) = weir_gen::generate_to_vec(&gen_cfg);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gen.pcap");
    std::fs::write(&path, bytes).unwrap();
    let one = replay(&path, 1, local);
    assert!(one.iter().any(|l| l.starts_with("end ")), "no flow ended");
    assert!(
        one.iter().any(|l| l.starts_with("host min")),
        "no host tick"
    );
    for n in [2, 4] {
        let many = replay(&path, n, local);
        assert!(
            one == many,
            "{n} workers differ from 1 ({} vs {} lines):\n{}",
            one.len(),
            many.len(),
            first_difference(&one, &many)
        );
    }
}

#[test]
fn the_scenarios_capture_gives_the_same_events_with_1_2_and_4_workers() {
    check(300, 19, true, &["10.0.0.0/8", "192.168.0.0/16"]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    #[test]
    fn generated_captures_give_the_same_events_with_1_2_and_4_workers(
        flows in 20usize..200,
        seed in any::<u64>(),
        local in prop_oneof![Just(vec!["10.0.0.0/8"]), Just(vec![])],
    ) {
        check(flows, seed, false, &local);
    }
}
