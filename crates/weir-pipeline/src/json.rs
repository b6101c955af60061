//! Flows and hosts as JSON objects with ntopng's key names: what `weir flows --json`,
//! `weir hosts --json`, the web snapshots and the REST API print.

use serde_json::{Map, Value, json};
use weir_flow::info::{self, InfoSource, Level};
use weir_flow::{Engine, Flow, Host, Networks, Proto};

/// The flow as a JSON object with the `flow.getFullInfo()` keys (spec flow-info.md
/// §2-§4), from the emitter the Lua tables also use ([`weir_flow::info`]). `ended`:
/// the flow is over (a finished replay), so traffic seen one way only is a risk.
pub fn flow_json(f: &Flow, nets: &Networks, ended: bool) -> Map<String, Value> {
    let mut src = InfoSource::of(f);
    src.ended = ended;
    info::to_json(&src, nets, Level::Full)
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
        "contacted_by_peers".into(),
        json!(h.contacted_by.estimate()),
    );
    m.insert(
        "contacted_ports".into(),
        json!(h.contacted_ports.estimate()),
    );
    m.insert("score".into(), json!(Engine::host_score(h)));
    m.insert("score.network".into(), json!(h.score[0]));
    m.insert("score.security".into(), json!(h.score[1]));
    m.insert("score.peak".into(), json!(h.score_peak.0));
    m.insert("score.peak_time".into(), json!(h.score_peak.1.as_secs()));
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
    // Engine lookups, only when they know something (GeoIP, block lists).
    if let Some(c) = h.geo.country.as_str() {
        m.insert("country".into(), json!(c));
    }
    if h.geo.asn != 0 {
        m.insert("asn".into(), json!(h.geo.asn));
    }
    if h.listed != 0 {
        m.insert("is_blacklisted".into(), json!(true));
    }
    m
}
