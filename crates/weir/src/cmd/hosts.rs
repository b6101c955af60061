//! `weir hosts FILE... [--local-net CIDR]... [--json]`: the hosts of capture files
//! (per IP and VLAN) with their counters, at the end of the replay.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::IpAddr;
use std::process::ExitCode;

use anyhow::Result;
use serde_json::{Map, Value, json};
use weir_decode::Timestamp;
use weir_flow::{Consumer, Engine, Host, Proto, Tick};

use super::flows::{engine_config, replay};

/// Arguments of `weir hosts`: the same as `weir flows`.
pub use super::flows::Args;

/// Keeps the latest snapshot of every host seen at a tick (hosts idle for longer than
/// the max idleness are purged from the engine, but stay in the report).
#[derive(Default)]
struct Snapshots(BTreeMap<(IpAddr, u16), Host>);

impl Consumer for Snapshots {
    fn host_tick(&mut self, tick: Tick, _now: Timestamp, host: &Host) {
        if tick == Tick::Min {
            self.0.insert((host.ip, host.vlan), host.clone());
        }
    }
}

/// The host as a JSON object.
pub fn host_json(h: &Host) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("ip".into(), json!(h.ip.to_string()));
    m.insert("vlan".into(), json!(h.vlan));
    m.insert("localhost".into(), json!(h.local));
    m.insert("network_id".into(), json!(h.network_id));
    m.insert("seen.first".into(), json!(h.first_seen.as_secs()));
    m.insert("seen.last".into(), json!(h.last_seen.as_secs()));
    m.insert("bytes.sent".into(), json!(h.bytes_sent));
    m.insert("bytes.rcvd".into(), json!(h.bytes_rcvd));
    m.insert("packets.sent".into(), json!(h.packets_sent));
    m.insert("packets.rcvd".into(), json!(h.packets_rcvd));
    m.insert(
        "active_flows.as_client".into(),
        json!(h.active_flows_as_client),
    );
    m.insert(
        "active_flows.as_server".into(),
        json!(h.active_flows_as_server),
    );
    m.insert("flows.as_client".into(), json!(h.total_flows_as_client));
    m.insert("flows.as_server".into(), json!(h.total_flows_as_server));
    m.insert("syn.sent".into(), json!(h.syn_sent));
    m.insert("syn.rcvd".into(), json!(h.syn_rcvd));
    m.insert("synack.sent".into(), json!(h.synack_sent));
    m.insert("synack.rcvd".into(), json!(h.synack_rcvd));
    m.insert("rst.sent".into(), json!(h.rst_sent));
    m.insert(
        "contacted_peers".into(),
        json!(h.contacted_peers.estimate()),
    );
    m.insert(
        "contacted_ports".into(),
        json!(h.contacted_ports.estimate()),
    );
    m.insert("score".into(), json!(Engine::host_score(h)));
    m.insert("score.network".into(), json!(h.score[0]));
    m.insert("score.security".into(), json!(h.score[1]));
    let l7: Map<String, Value> =
        h.l7.iter()
            .map(|e| {
                let name = if e.proto == Proto(u16::MAX) {
                    "Other"
                } else {
                    e.proto.name()
                };
                (
                    name.to_string(),
                    json!({"bytes": e.bytes, "flows": e.flows}),
                )
            })
            .collect();
    m.insert("ndpi".into(), Value::Object(l7));
    m
}

/// Runs `weir hosts`.
pub fn run(args: &Args) -> Result<ExitCode> {
    let mut engine = Engine::new(engine_config(&args.local_net, false));
    let mut snaps = Snapshots::default();
    let report = replay(&args.files, &mut engine, &mut snaps)?;
    for (_, h) in engine.hosts().iter() {
        snaps.0.insert((h.ip, h.vlan), h.clone());
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for h in snaps.0.values() {
        let r = if args.json {
            writeln!(out, "{}", Value::Object(host_json(h)))
        } else {
            writeln!(
                out,
                "{:>39} vlan {:<4} {:<6} sent {:>8} pkts {:>12} B  rcvd {:>8} pkts {:>12} B  flows {:>5}/{:<5} peers ~{:<5} score {}",
                h.ip,
                h.vlan,
                if h.local { "local" } else { "remote" },
                h.packets_sent,
                h.bytes_sent,
                h.packets_rcvd,
                h.bytes_rcvd,
                h.total_flows_as_client,
                h.total_flows_as_server,
                h.contacted_peers.estimate(),
                Engine::host_score(h)
            )
        };
        if r.is_err() {
            break;
        }
    }
    out.flush().ok();
    for e in &report.capture_errors {
        eprintln!("weir: warning: {e}");
    }
    Ok(if report.capture_errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
