//! The seed tutorial plugin (`plugins/exes_download`) end to end.

use std::collections::HashSet;

use serde_json::Value;
use weir_flow::Consumer;

use crate::common::*;

#[test]
fn tutorial_plugin_loads_without_problems() {
    let (rt, report) = load(vec![workspace().join("plugins/exes_download")]);
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    assert_eq!(report.plugins.len(), 1);
    assert_eq!(report.plugins[0].alert_definitions, ["alert_exe_download"]);
    assert_eq!(
        report.plugins[0].status_definitions,
        ["status_exe_download"]
    );
    let s = &report.scripts[0];
    assert_eq!((s.key.as_str(), s.active), ("exes_download", true));
    assert_eq!(s.hooks, ["protocolDetected"]);
    let reg = rt.registry();
    assert_eq!(
        reg.alert_by_name("alert_exe_download").unwrap().key.0,
        32768
    );
    assert_eq!(reg.status_by_name("status_exe_download").unwrap().key.0, 59);
}

#[test]
fn one_exe_alert_per_exe_flow_with_status_and_scores() {
    let pcap = capture(400, 7);
    let mut oracle = ExeOracle::default();
    replay(&pcap, &mut oracle);
    assert!(
        oracle.urls.len() >= 2,
        "capture needs .exe downloads: {:?}",
        oracle.urls
    );
    assert!(
        oracle.http_flows > oracle.urls.len(),
        "and other HTTP traffic"
    );

    let (mut rt, report) = load(vec![workspace().join("plugins/exes_download")]);
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let mut scored = ScoreCheck {
        rt: &mut rt,
        flows: Vec::new(),
    };
    let engine = replay(&pcap, &mut scored);
    let flows = std::mem::take(&mut scored.flows);
    rt.finish();
    let events = rt.take_events();
    let alerts: Vec<&Value> = events
        .iter()
        .filter(|e| e["event"] == "flow_alert")
        .collect();
    let statuses: Vec<&Value> = events.iter().filter(|e| e["event"] == "status").collect();
    assert_eq!(alerts.len(), oracle.urls.len(), "one alert per .exe flow");
    assert_eq!(statuses.len(), oracle.urls.len());
    let mut seen = HashSet::new();
    for a in &alerts {
        assert_eq!(a["alert_name"], "alert_exe_download");
        assert_eq!(a["alert_type"], 32768);
        assert_eq!(a["flow_status"], 59);
        assert_eq!(a["alert_severity"], 5, "status severity error");
        assert_eq!(a["score"], 100);
        assert_eq!(a["cli_score"], 100);
        assert_eq!(a["srv_score"], 10);
        let j: Value = serde_json::from_str(a["alert_json"].as_str().unwrap()).unwrap();
        let url = j["protos.http.last_url"].as_str().unwrap().to_owned();
        assert!(url.contains(".exe"), "{url}");
        assert_eq!(j["alert_generation"]["script_key"], "exes_download");
        assert!(seen.insert(url));
    }
    let want: HashSet<String> = oracle.urls.iter().cloned().collect();
    assert_eq!(seen, want);
    // Status set on the flow, scores on flow, client and server (security category).
    assert_eq!(flows.len(), oracle.urls.len());
    for (status_map, before, after) in &flows {
        assert!(status_map & (1 << 59) != 0);
        assert_eq!(after.flow - before.flow, 100);
        assert_eq!(
            [after.cli[0] - before.cli[0], after.cli[1] - before.cli[1]],
            [0, 100]
        );
        assert_eq!(
            [after.srv[0] - before.srv[0], after.srv[1] - before.srv[1]],
            [0, 10]
        );
    }
    assert_eq!(
        engine.interface().flows_created as usize,
        engine.interface().flows_ended as usize
    );
}

/// Wraps the runtime and remembers the state of flows that got status 59.
struct ScoreCheck<'a> {
    rt: &'a mut weir_script::Runtime,
    flows: Vec<(u64, weir_flow::FlowScore, weir_flow::FlowScore)>,
}

impl Consumer for ScoreCheck<'_> {
    fn protocol_detected(&mut self, now: weir_decode::Timestamp, flow: &mut weir_flow::Flow) {
        let before = flow.score;
        self.rt.protocol_detected(now, flow);
        if flow.status_map & (1 << 59) != 0 {
            self.flows.push((flow.status_map, before, flow.score));
        }
    }
    fn status_changed(&mut self, now: weir_decode::Timestamp, flow: &mut weir_flow::Flow) {
        self.rt.status_changed(now, flow);
    }
    fn flow_end(
        &mut self,
        now: weir_decode::Timestamp,
        flow: &mut weir_flow::Flow,
        r: weir_flow::EndReason,
    ) {
        self.rt.flow_end(now, flow, r);
    }
}

#[test]
fn host_scores_include_the_tutorial_scores() {
    let pcap = capture(200, 11);
    let (mut rt, _) = load(vec![workspace().join("plugins/exes_download")]);
    let mut engine = weir_flow::Engine::new(weir_flow::EngineConfig::default());
    let mut r = weir_decode::capture::CaptureReader::new(std::io::Cursor::new(pcap), "g").unwrap();
    let mut checked = 0;
    while let Some(f) = r.next_frame() {
        let f = f.unwrap();
        let wire = f.orig_len.max(f.data.len() as u32);
        if let Ok(p) = weir_decode::decode(f.linktype, f.data) {
            engine.process(f.ts, wire, &p, &mut rt);
        }
        let live = engine
            .flows()
            .iter()
            .filter(|(_, f)| f.status_map & (1 << 59) != 0)
            .count() as u32;
        if live > 0 {
            // Host security scores = the live flows' contributions, which include the
            // script's 100 (client) + 10 (server) on every .exe flow.
            let total: u32 = engine.hosts().iter().map(|(_, h)| h.score[1]).sum();
            let contrib: u32 = engine
                .flows()
                .iter()
                .map(|(_, f)| f.score.cli[1] + f.score.srv[1])
                .sum();
            assert_eq!(total, contrib);
            for (_, f) in engine
                .flows()
                .iter()
                .filter(|(_, f)| f.status_map & (1 << 59) != 0)
            {
                assert!(
                    f.score.cli[1] >= 100 && f.score.srv[1] >= 10,
                    "{:?}",
                    f.score
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 0);
}

#[test]
fn plain_print_version_prints_the_seed_line() {
    let pcap = capture(300, 7);
    let mut oracle = ExeOracle::default();
    replay(&pcap, &mut oracle);
    let (mut rt, report) = load(vec![test_plugin("exes_print")]);
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    replay(&pcap, &mut rt);
    let out = String::from_utf8(rt.take_output()).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), oracle.urls.len(), "{out}");
    for (line, url) in lines.iter().zip(&oracle.urls) {
        assert!(
            line.starts_with(&format!("last_url: {url} [[HTTP")),
            "{line}"
        );
        assert!(line.contains(" TCP ") && line.contains(" -> "), "{line}");
        assert!(line.ends_with(&format!(" [{url}]]")), "{line}");
    }
}
