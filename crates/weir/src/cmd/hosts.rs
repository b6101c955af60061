//! `weir hosts FILE... [--local-net CIDR]... [--json]`: the hosts of capture files
//! (per IP and VLAN) with their counters, at the end of the replay.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::IpAddr;
use std::process::ExitCode;

use anyhow::Result;
use serde_json::Value;
use weir_decode::Timestamp;
use weir_flow::{Consumer, Engine, Host};
use weir_pipeline::engine::Driver;
use weir_pipeline::json::host_json;
use weir_pipeline::talkers::RetiredHosts;

use super::flows::{exit_code, replay};

/// Arguments of `weir hosts`: the same as `weir flows`.
pub use super::flows::Args;

/// Every host of the run: hosts idle for longer than the max idleness leave the engine
/// (`host_purged`) but stay in the report with their counters over the whole run, as
/// the web UI shows them after a replay, so the list holds as many hosts as the run
/// summary counts (`hosts`).
#[derive(Default)]
struct Snapshots(RetiredHosts);

impl Driver for Snapshots {
    type Report = BTreeMap<(IpAddr, u16), Host>;

    /// The hosts of the table at the end and those that left it.
    fn finish(self, engine: &Engine) -> Self::Report {
        self.0
            .whole_run(engine.hosts().iter().map(|(_, h)| h))
            .into_iter()
            .map(|h| ((h.ip, h.vlan), h))
            .collect()
    }
}

impl Consumer for Snapshots {
    fn host_purged(&mut self, _now: Timestamp, host: &Host) {
        self.0.purged(host);
    }
}

/// Runs `weir hosts`.
pub fn run(args: &Args) -> Result<ExitCode> {
    let (summary, hosts) = replay(args, Snapshots::default())?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for h in hosts.values() {
        let r = if args.json {
            writeln!(out, "{}", Value::Object(host_json(h)))
        } else {
            writeln!(
                out,
                "{:>39} vlan {:<4} {:<6} sent {:>8} pkts {:>12} B  rcvd {:>8} pkts {:>12} B  flows {:>5}/{:<5} peers ~{:>4}/~{:<4} score {} (peak {})",
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
                h.contacted_by.estimate(),
                Engine::host_score(h),
                h.score_peak.0
            )
        };
        if r.is_err() {
            break;
        }
    }
    out.flush().ok();
    Ok(exit_code(&summary))
}
