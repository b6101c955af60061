//! A host purged from the engine's host table releases its engaged alerts at the
//! purge time (packet clock), as past alerts with their durations.

use weir_decode::{LinkType, Timestamp, decode};
use weir_flow::{Engine, EngineConfig};

use crate::common::load;

/// An Ethernet/IPv4/UDP frame from `src` to `dst` (last octets of 10.0.0.0/24).
fn udp(src: u8, dst: u8, sport: u16, dport: u16) -> Vec<u8> {
    let payload = b"weir purge test";
    let mut f = vec![2, 0, 0, 0, 0, dst, 2, 0, 0, 0, 0, src, 0x08, 0x00];
    let total = (20 + 8 + payload.len()) as u16;
    f.extend([0x45, 0]);
    f.extend(total.to_be_bytes());
    f.extend([0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, src, 10, 0, 0, dst]);
    f.extend(sport.to_be_bytes());
    f.extend(dport.to_be_bytes());
    f.extend(((8 + payload.len()) as u16).to_be_bytes());
    f.extend([0, 0]);
    f.extend(payload);
    f
}

#[test]
fn purged_host_releases_its_alerts_at_the_purge_time() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("purge_probe/user_scripts/host/probe.lua");
    std::fs::create_dir_all(script.parent().unwrap()).unwrap();
    std::fs::write(
        &script,
        r#"local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")
local s = { hooks = {}, gui = { i18n_title = "p", i18n_description = "p" } }
function s.hooks.min(params)
  if params.entity_info.ip ~= "10.0.0.5" then return end
  local info = alert_consts.alert_types.alert_internals.create()
  info.alert_severity = alert_consts.alert_severities.warning
  info.alert_granularity = alert_consts.alerts_granularities.min
  info.alert_subtype = "probe"
  info.alert_type_params = { what = "probe" }
  alerts_api.trigger(params.alert_entity, info, nil, params.cur_alerts)
end
return s"#,
    )
    .unwrap();
    let (mut rt, report) = load(vec![dir.path().to_path_buf()]);
    assert!(report.problems.is_empty(), "{:#?}", report.problems);

    // 10.0.0.5 talks for 11 s; 10.0.0.9 keeps the clock going for 5 minutes.
    let t0 = 1_699_999_980u64; // a minute boundary
    let mut engine = Engine::new(EngineConfig::default());
    let mut send = |at: u64, frame: &[u8], rt: &mut weir_script::Runtime| {
        let pkt = decode(LinkType::Ethernet, frame).unwrap();
        engine.process(Timestamp(at * 1_000_000), frame.len() as u32, &pkt, rt);
    };
    for s in [1, 6, 11] {
        send(t0 + s, &udp(5, 1, 40000, 7000), &mut rt);
    }
    for s in (1..300).step_by(10) {
        send(t0 + s, &udp(9, 1, 40001, 7001), &mut rt);
    }
    let ev = rt.take_events();
    let probe: Vec<_> = ev
        .iter()
        .filter(|e| e["event"] == "alert" && e["alert_entity_val"] == "10.0.0.5@0")
        .collect();
    // Engaged at the first minute (t0+60), triggered again at t0+120, then purged
    // when the clock passed t0+120 (the packet at t0+121): idle for 60 s, no flows.
    assert_eq!(probe.len(), 3, "{probe:#?}");
    assert_eq!(probe[0]["action"], "trigger");
    assert_eq!(probe[0]["ts"], t0 + 60);
    assert_eq!(probe[1]["action"], "trigger");
    assert_eq!(probe[2]["action"], "release");
    assert_eq!(probe[2]["purged"], true);
    assert_eq!(probe[2]["ts"], t0 + 121);
    assert_eq!(probe[2]["alert_subtype"], "probe");
    assert!(
        engine
            .hosts()
            .iter()
            .all(|(_, h)| h.ip.to_string() != "10.0.0.5")
    );
    let stats = rt.with_alerts(|a| a.stats());
    assert_eq!(
        (stats.engaged, stats.released, stats.engaged_now),
        (1, 1, 0)
    );
}
