//! `interface.getStats()`, the per-entity cached values and `alerts_api.*_delta_val`,
//! and flow/syslog scripts enabled through the settings file without a reload.

use std::path::Path;

use weir_decode::Timestamp;
use weir_flow::{Consumer, Engine, EngineConfig, Host, Interface, Network, Proto, Tick};

use crate::{FlowHook, FlowView, Output, Runtime, ScriptConfig};

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn runtime(plugins: &Path, data: &Path) -> Runtime {
    let (rt, report) = Runtime::load(ScriptConfig {
        roots: vec![plugins.to_path_buf()],
        output: Output::Buffer,
        record_events: true,
        working_dir: data.to_path_buf(),
        ifname: "eth9".into(),
        ..ScriptConfig::default()
    })
    .unwrap();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    rt
}

fn out(rt: &mut Runtime) -> String {
    String::from_utf8(rt.take_output()).unwrap()
}

fn ts(secs: u64) -> Timestamp {
    Timestamp(secs * 1_000_000)
}

/// Two hosts of a generated capture.
fn two_hosts() -> (Host, Host) {
    #[derive(Default)]
    struct Grab(Vec<Host>);
    impl Consumer for Grab {
        fn host_tick(&mut self, _t: Tick, _n: Timestamp, h: &Host) {
            if self.0.len() < 2 && self.0.iter().all(|x| x.ip != h.ip) {
                self.0.push(h.clone());
            }
        }
    }
    let (pcap, _) = weir_gen::generate_to_vec(&weir_gen::GenConfig {
        flows: 20,
        seed: 3,
        ..Default::default()
    });
    let mut engine = Engine::new(EngineConfig::default());
    let mut g = Grab::default();
    let mut r = weir_decode::capture::CaptureReader::new(&pcap[..], "t").unwrap();
    while let Some(Ok(f)) = r.next_frame() {
        if let Ok(p) = weir_decode::decode(f.linktype, f.data) {
            engine.process(f.ts, f.orig_len, &p, &mut g);
        }
    }
    engine.finish(&mut g);
    let mut it = g.0.into_iter();
    (it.next().unwrap(), it.next().unwrap())
}

#[test]
fn interface_get_stats_in_interface_and_flow_hooks() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p");
    write(
        &p,
        "user_scripts/interface/iface.lua",
        r#"local s = { hooks = {}, gui = { i18n_title = "i", i18n_description = "i" } }
function s.hooks.min(params)
  local st = interface.getStats()
  io.write(string.format("tick %s %s %d %d %d %d %d %s %s|", st.name, st.id, st["seen.last"],
    st.stats.packets, st.stats.bytes, st.stats.flows, st.stats.new_flows,
    tostring(st.anomalies.too_many_flows), tostring(params.entity_info.stats.hosts)))
  io.write(string.format("http %d %d|", st.ndpi.HTTP.bytes, alerts_api.application_bytes(st, "HTTP")))
end
return s"#,
    );
    write(
        &p,
        "user_scripts/flow/f.lua",
        r#"local s = { hooks = {}, gui = { i18n_title = "f", i18n_description = "f" } }
function s.hooks.protocolDetected(now)
  local st = interface.getStats()
  io.write("flow sees " .. st.stats.packets .. " packets at " .. st["seen.last"] .. "|")
end
return s"#,
    );
    let data = dir.path().join("data");
    let mut rt = runtime(&p, &data);
    let mut iface = Interface::default();
    iface.packets = 10;
    iface.bytes = 1000;
    iface.flows_created = 4;
    iface.flows_ended = 1;
    iface.hosts_created = 3;
    iface.l7.entry(Proto::HTTP.0).or_default().bytes = 600;
    rt.interface_tick(Tick::Min, ts(1_700_000_040), &iface);
    assert_eq!(
        out(&mut rt),
        "tick eth9 0 1700000040 10 1000 3 4 nil 3|http 600 600|"
    );
    iface.packets = 25;
    iface.flows_evicted = 2;
    rt.interface_tick(Tick::Min, ts(1_700_000_100), &iface);
    assert!(out(&mut rt).starts_with("tick eth9 0 1700000100 25 1000 3 4 true 3|"));
    let (key, cli_is_a) = weir_flow::FlowKey::new(
        0,
        6,
        ("10.0.0.1".parse().unwrap(), 40000),
        ("10.0.0.2".parse().unwrap(), 80),
    );
    let view = Box::new(FlowView::synthetic(key, cli_is_a, 1, ts(1_700_000_101)));
    rt.dispatch_view(FlowHook::ProtocolDetected, ts(1_700_000_101), view);
    assert_eq!(out(&mut rt), "flow sees 25 packets at 1700000100|");
    assert!(
        rt.scripts().iter().all(|s| s.errors == 0),
        "{:?}",
        rt.scripts()
    );
}

#[test]
fn delta_values_per_entity_and_granularity() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p");
    write(
        &p,
        "user_scripts/host/h.lua",
        r#"local alerts_api = require("alerts_api")
local s = { hooks = {}, gui = { i18n_title = "h", i18n_description = "h" } }
function s.hooks.all(params)
  local b = host.getBytes()["bytes.sent"]
  io.write(params.entity_info.ip, " ", params.granularity, " ",
    alerts_api.host_delta_val("sent", params.granularity, b), " ",
    alerts_api.host_delta_val("sent_skip", params.granularity, b, true), "|")
end
return s"#,
    );
    write(
        &p,
        "user_scripts/network/n.lua",
        r#"local alerts_api = require("alerts_api")
local s = { hooks = {}, gui = { i18n_title = "n", i18n_description = "n" } }
function s.hooks.min(params)
  io.write("net ", alerts_api.network_delta_val("in", params.granularity, params.entity_info.ingress, true), "|")
end
return s"#,
    );
    write(
        &p,
        "user_scripts/interface/i.lua",
        r#"local alerts_api = require("alerts_api")
local s = { hooks = {}, gui = { i18n_title = "i", i18n_description = "i" } }
function s.hooks.min(params)
  io.write("if ", alerts_api.interface_delta_val("pk", params.granularity, params.entity_info.stats.packets), " ",
    interface.getCachedAlertValue("pk:1", 1), "|")
end
return s"#,
    );
    let data = dir.path().join("data");
    let mut rt = runtime(&p, &data);
    let (mut a, mut b) = two_hosts();
    a.bytes_sent = 100;
    b.bytes_sent = 7;
    let (ai, bi) = (a.ip.to_string(), b.ip.to_string());
    let mut net = Network {
        cidr: "10.0.0.0/8".parse().unwrap(),
        id: 0,
        bytes_egress: 0,
        bytes_ingress: 500,
        bytes_inner: 0,
        bytes_broadcast: 0,
        packets: 0,
        hosts: 0,
        flows: 0,
        score: 0,
    };
    let mut iface = Interface::default();
    iface.packets = 40;
    let t0 = 1_700_000_040;
    rt.interface_tick(Tick::Min, ts(t0), &iface);
    rt.host_tick(Tick::Min, ts(t0), &a);
    rt.host_tick(Tick::Min, ts(t0), &b);
    rt.host_tick(Tick::FiveMins, ts(t0), &a);
    rt.network_tick(Tick::Min, ts(t0), &net);
    rt.system_tick(Tick::Min, ts(t0));
    assert_eq!(
        out(&mut rt),
        format!("if 40 40|{ai} min 100 0|{bi} min 7 0|{ai} 5mins 100 0|net 0|")
    );
    a.bytes_sent = 250;
    b.bytes_sent = 10;
    net.bytes_ingress = 800;
    iface.packets = 45;
    rt.interface_tick(Tick::Min, ts(t0 + 60), &iface);
    rt.host_tick(Tick::Min, ts(t0 + 60), &a);
    rt.host_tick(Tick::Min, ts(t0 + 60), &b);
    rt.network_tick(Tick::Min, ts(t0 + 60), &net);
    rt.system_tick(Tick::Min, ts(t0 + 60));
    assert_eq!(
        out(&mut rt),
        format!("if 5 45|{ai} min 150 150|{bi} min 3 3|net 300|")
    );
    // The granularities keep their own values: 5mins still remembers 100.
    rt.host_tick(Tick::FiveMins, ts(t0 + 300), &a);
    assert_eq!(out(&mut rt), format!("{ai} 5mins 150 150|"));
    assert!(
        rt.scripts().iter().all(|s| s.errors == 0),
        "{:?}",
        rt.scripts()
    );
    // Values of entities not updated for two days are dropped.
    let later = t0 + 3 * 86_400;
    rt.system_tick(Tick::Min, ts(later));
    rt.host_tick(Tick::Min, ts(later + 60), &a);
    assert_eq!(out(&mut rt), format!("{ai} min 250 0|"));
}

#[test]
fn cached_values_outside_their_hook_and_bad_arguments_return_nil() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p");
    write(
        &p,
        "user_scripts/interface/i.lua",
        r#"local alerts_api = require("alerts_api")
local s = { hooks = {}, gui = { i18n_title = "i", i18n_description = "i" } }
function s.hooks.min(params)
  io.write(tostring(host.getCachedAlertValue("x", 1)), " ", tostring(interface.getCachedAlertValue("x", 9)), "|")
end
function s.hooks.hour(params)
  alerts_api.host_delta_val("x", "fortnight", 1)
end
return s"#,
    );
    let mut rt = runtime(&p, &dir.path().join("data"));
    rt.interface_tick(Tick::Min, ts(1_700_000_040), &Interface::default());
    assert_eq!(out(&mut rt), "nil nil|");
    let s = rt.scripts();
    let err = s[0].last_error.as_deref().unwrap();
    assert!(
        err.contains("host.getCachedAlertValue: called outside a host hook"),
        "{err}"
    );
    assert!(
        err.contains("interface.getCachedAlertValue: expected (key, granularity id 0..4)"),
        "{err}"
    );
    rt.interface_tick(Tick::Hour, ts(1_700_003_600), &Interface::default());
    let s = rt.scripts();
    let err = s[0].last_error.as_deref().unwrap();
    assert!(
        err.contains(
            "/p/user_scripts/interface/i.lua:7: host_delta_val: unknown granularity fortnight"
        ),
        "{err}"
    );
}

#[test]
fn flow_and_syslog_scripts_enabled_in_the_settings_run_without_a_reload() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p");
    for (name, extra) in [
        ("on_later", ""),
        ("off_by_default", "default_enabled = false,"),
    ] {
        write(
            &p,
            &format!("user_scripts/flow/{name}.lua"),
            &format!(
                r#"local s = {{ {extra} hooks = {{}}, gui = {{ i18n_title = "x", i18n_description = "x" }} }}
function s.hooks.protocolDetected(now) io.write("{name} ") end
return s"#
            ),
        );
    }
    write(
        &p,
        "user_scripts/syslog/myids.lua",
        r#"local s = { hooks = {}, gui = { i18n_title = "x", i18n_description = "x" } }
function s.hooks.handleEvent(msg) io.write("ids:" .. msg .. " ") end
return s"#,
    );
    let data = dir.path().join("data");
    let settings = crate::settings::file_in(&data);
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        &settings,
        "[script.\"flow/on_later\"]\nenabled = false\n[script.\"syslog/myids\"]\nenabled = false\n",
    )
    .unwrap();
    let mut rt = runtime(&p, &data);
    let flow = |rt: &mut Runtime, secs: u64| {
        let (key, cli_is_a) = weir_flow::FlowKey::new(
            0,
            6,
            ("10.0.0.1".parse().unwrap(), 40000),
            ("10.0.0.2".parse().unwrap(), 80),
        );
        let view = Box::new(FlowView::synthetic(key, cli_is_a, 1, ts(secs)));
        rt.dispatch_view(FlowHook::ProtocolDetected, ts(secs), view);
    };
    flow(&mut rt, 1_700_000_000);
    assert!(!rt.syslog_event(ts(1_700_000_000), "myids", "a", "h", 14));
    assert_eq!(out(&mut rt), "");
    let state = |rt: &Runtime, key: &str| {
        let s = rt.scripts().into_iter().find(|s| s.key == key).unwrap();
        (s.active, s.inactive_reason)
    };
    assert_eq!(
        state(&rt, "on_later"),
        (false, Some("disabled in scripts.toml".into()))
    );
    assert_eq!(
        state(&rt, "off_by_default"),
        (false, Some("default_enabled = false".into()))
    );

    std::fs::write(
        &settings,
        "[script.\"flow/on_later\"]\nenabled = true\n[script.\"flow/off_by_default\"]\nenabled = true\n\
         [script.\"syslog/myids\"]\nenabled = true\n",
    )
    .unwrap();
    // The next hook call at a new second sees the change.
    flow(&mut rt, 1_700_000_001);
    assert!(rt.syslog_event(ts(1_700_000_001), "myids", "b", "h", 14));
    assert_eq!(out(&mut rt), "off_by_default on_later ids:b ");
    assert_eq!(state(&rt, "on_later"), (true, None));

    std::fs::write(
        &settings,
        "[script.\"flow/off_by_default\"]\nenabled = false\n",
    )
    .unwrap();
    flow(&mut rt, 1_700_000_002);
    assert!(rt.syslog_event(ts(1_700_000_002), "myids", "c", "h", 14));
    assert_eq!(out(&mut rt), "on_later ids:c ");
}

#[test]
fn check_threshold_alert_fast_path_keeps_the_semantics() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p");
    // The threshold comes from the configuration; the script changes it in place
    // between calls (the cached number must follow), and an `lt` operator.
    write(
        &p,
        "user_scripts/host/t.lua",
        r#"local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")
local s = { default_value = { operator = "gt", threshold = 100 }, hooks = {},
            gui = { i18n_title = "t", i18n_description = "t" } }
local step = 0
function s.hooks.min(params)
  step = step + 1
  local conf = params.user_script_config
  if step == 3 then conf.threshold = 10 end
  if step == 4 then conf.operator = "lt"; conf.threshold = 5 end
  if step == 5 then conf.threshold = nil end
  local v = host.getBytes()["bytes.sent"]
  io.write(step, ":", tostring(alerts_api.checkThresholdAlert(params, alert_consts.alert_types.alert_threshold_cross, v)), " ")
end
return s"#,
    );
    let mut rt = runtime(&p, &dir.path().join("data"));
    let (mut h, _) = two_hosts();
    h.bytes_sent = 50;
    let t0 = 1_700_000_040;
    let actions = |rt: &mut Runtime| -> Vec<String> {
        rt.take_events()
            .iter()
            .filter(|e| e["event"] == "alert")
            .map(|e| e["action"].as_str().unwrap().to_owned())
            .collect()
    };
    // 1: 50 > 100? no, nothing engaged: false, no alert call at all.
    rt.host_tick(Tick::Min, ts(t0), &h);
    rt.system_tick(Tick::Min, ts(t0));
    assert_eq!(out(&mut rt), "1:false ");
    assert!(actions(&mut rt).is_empty());
    // 2: 150 > 100: engaged.
    h.bytes_sent = 150;
    rt.host_tick(Tick::Min, ts(t0 + 60), &h);
    rt.system_tick(Tick::Min, ts(t0 + 60));
    assert_eq!(out(&mut rt), "2:true ");
    assert_eq!(actions(&mut rt), ["trigger"]);
    // 3: threshold lowered in place to 10: still crossed, re-triggered (kept).
    rt.host_tick(Tick::Min, ts(t0 + 120), &h);
    rt.system_tick(Tick::Min, ts(t0 + 120));
    assert_eq!(out(&mut rt), "3:true ");
    assert_eq!(actions(&mut rt), ["trigger"]);
    // 4: `lt 5`: 150 < 5 is false: released.
    rt.host_tick(Tick::Min, ts(t0 + 180), &h);
    rt.system_tick(Tick::Min, ts(t0 + 180));
    assert_eq!(out(&mut rt), "4:false ");
    assert_eq!(actions(&mut rt), ["release"]);
    // 5: no threshold: false, nothing engaged, nothing to do.
    rt.host_tick(Tick::Min, ts(t0 + 240), &h);
    rt.system_tick(Tick::Min, ts(t0 + 240));
    assert_eq!(out(&mut rt), "5:false ");
    assert!(actions(&mut rt).is_empty());
    assert!(
        rt.scripts().iter().all(|s| s.errors == 0),
        "{:?}",
        rt.scripts()
    );
}

#[test]
fn unchanged_hosts_are_not_visited_unless_an_alert_is_engaged() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("plugins");
    let (mut a, mut b) = two_hosts();
    let (ai, bi) = (a.ip.to_string(), b.ip.to_string());
    // The script prints every host it sees and keeps an alert engaged on `b`.
    write(
        &p,
        "v/user_scripts/host/v.lua",
        &format!(
            r#"local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")
local s = {{ hooks = {{}}, gui = {{ i18n_title = "v", i18n_description = "v" }} }}
function s.hooks.min(params)
  io.write(params.entity_info.ip, "|")
  if params.entity_info.ip == "{bi}" then
    local info = alert_consts.alert_types.alert_internals.create()
    info.alert_severity = alert_consts.alert_severities.warning
    info.alert_granularity = alert_consts.alerts_granularities.min
    info.alert_subtype = "probe"
    info.alert_type_params = {{ what = "probe" }}
    alerts_api.trigger(params.alert_entity, info, nil, params.cur_alerts)
  end
end
return s"#
        ),
    );
    let mut rt = runtime(&p, &dir.path().join("data"));
    let t0 = 1_800_000_000u64;
    for h in [&mut a, &mut b] {
        h.last_seen = ts(t0 - 30);
        h.changed = ts(t0 - 30);
    }
    let round = |rt: &mut Runtime, at: u64, hosts: [&Host; 2]| {
        for h in hosts {
            rt.host_tick(Tick::Min, ts(at), h);
        }
        rt.system_tick(Tick::Min, ts(at));
        out(rt)
    };
    // The first round visits everyone; `b` now has an engaged alert.
    assert_eq!(round(&mut rt, t0, [&a, &b]), format!("{ai}|{bi}|"));
    assert!(!rt.host_pinned(&a));
    assert!(rt.host_pinned(&b));
    // Nothing changed: only the host with the engaged alert is visited.
    assert_eq!(round(&mut rt, t0 + 60, [&a, &b]), format!("{bi}|"));
    assert_eq!(rt.host_ticks.skipped, 1);
    // A packet of `a` after the previous round: visited again.
    a.last_seen = ts(t0 + 90);
    assert_eq!(round(&mut rt, t0 + 120, [&a, &b]), format!("{ai}|{bi}|"));
    // A flow of `a` ending counts as a change too.
    a.changed = ts(t0 + 150);
    assert_eq!(round(&mut rt, t0 + 180, [&a, &b]), format!("{ai}|{bi}|"));
    assert_eq!(round(&mut rt, t0 + 240, [&a, &b]), format!("{bi}|"));
    // A purged host is no longer pinned.
    rt.host_purged(ts(t0 + 250), &b);
    assert!(!rt.host_pinned(&b));
}

#[test]
fn threshold_prefilter_calls_only_hosts_that_cross_or_are_engaged() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p");
    // The script states that it only compares the host's score with its threshold;
    // a second script without a prefilter sees every host.
    write(
        &p,
        "user_scripts/host/gated.lua",
        r#"local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")
local s = { default_value = { operator = "gt", threshold = 100 }, hooks = {},
            prefilter = { threshold = "score" },
            gui = { i18n_title = "g", i18n_description = "g" } }
function s.hooks.min(params)
  local v = host.getScore().score
  io.write("g", v, ":", tostring(alerts_api.checkThresholdAlert(params, alert_consts.alert_types.alert_threshold_cross, v)), " ")
end
return s"#,
    );
    write(
        &p,
        "user_scripts/host/plain.lua",
        r#"local s = { hooks = {}, gui = { i18n_title = "p", i18n_description = "p" } }
function s.hooks.min(params) io.write("p ") end
return s"#,
    );
    let mut rt = runtime(&p, &dir.path().join("data"));
    let (mut h, _) = two_hosts();
    h.local = true;
    let t0 = 1_700_000_040;
    let round = |rt: &mut Runtime, at: u64, h: &Host| {
        rt.host_tick(Tick::Min, ts(at), h);
        rt.system_tick(Tick::Min, ts(at));
        let mut words: Vec<String> = out(rt).split_whitespace().map(str::to_owned).collect();
        words.sort();
        words.join(" ")
    };
    // Below the threshold, nothing engaged: only the script without a prefilter.
    h.score = [40, 10];
    assert_eq!(round(&mut rt, t0, &h), "p");
    // Above: called, the alert engages.
    h.score = [100, 20];
    assert_eq!(round(&mut rt, t0 + 60, &h), "g120:true p");
    // Back below, but engaged: called, so the hook releases its alert.
    h.score = [0, 0];
    assert_eq!(round(&mut rt, t0 + 120, &h), "g0:false p");
    let released = rt
        .take_events()
        .iter()
        .filter(|e| e["event"] == "alert" && e["action"] == "release")
        .count();
    assert_eq!(released, 1);
    // Nothing engaged any more: left out again.
    assert_eq!(round(&mut rt, t0 + 180, &h), "p");
    // A threshold lowered in the settings is seen at once.
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        crate::settings::file_in(&data),
        "[script.\"host/gated\".conf.min]\noperator = \"gt\"\nthreshold = -1\n",
    )
    .unwrap();
    rt.apply_settings();
    assert_eq!(round(&mut rt, t0 + 240, &h), "g0:true p");
    assert!(rt.scripts().iter().all(|s| s.errors == 0));
}

#[test]
fn a_bad_entity_prefilter_skips_the_script_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p");
    write(
        &p,
        "user_scripts/host/bad.lua",
        r#"return { hooks = { min = function() end }, prefilter = { threshold = "bytes" },
  gui = { i18n_title = "b", i18n_description = "b" } }"#,
    );
    let (_rt, report) = Runtime::load(ScriptConfig {
        roots: vec![p.clone()],
        output: Output::Buffer,
        working_dir: dir.path().join("data"),
        ..ScriptConfig::default()
    })
    .unwrap();
    let text = format!("{:?}", report.problems);
    assert!(text.contains("bad.lua"), "{text}");
    assert!(
        text.contains("prefilter.threshold: unknown host value \\\"bytes\\\""),
        "{text}"
    );
}

#[test]
fn host_deltas_per_granularity_and_their_prefilter() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p");
    write(
        &p,
        "user_scripts/host/all.lua",
        r#"local s = { hooks = {}, gui = { i18n_title = "a", i18n_description = "a" } }
local function show(params)
  local d = host.getDeltas()
  if d == nil then io.write(params.granularity, ":nil ") return end
  io.write(params.granularity, ":", d.bytes, "/", d.packets, " ")
end
s.hooks.min = show
s.hooks["5mins"] = show
return s"#,
    );
    write(
        &p,
        "user_scripts/host/gated.lua",
        r#"local s = { default_value = { operator = "gt", threshold = 60 }, hooks = {},
  prefilter = { threshold = "delta.bytes" },
  gui = { i18n_title = "g", i18n_description = "g" } }
function s.hooks.min(params) io.write("gated:", host.getDeltas().bytes, " ") end
return s"#,
    );
    let mut rt = runtime(&p, &dir.path().join("data"));
    let (mut h, mut remote) = two_hosts();
    h.local = true;
    remote.local = false;
    let t0 = 1_700_000_100;
    let round = |rt: &mut Runtime, at: u64, h: &Host, ticks: &[Tick]| {
        for t in ticks {
            rt.host_tick(*t, ts(at), h);
            rt.system_tick(*t, ts(at));
        }
        out(rt)
    };
    (h.bytes_sent, h.bytes_rcvd, h.packets_sent, h.packets_rcvd) = (70, 30, 2, 1);
    h.changed = ts(t0);
    assert_eq!(
        round(&mut rt, t0, &h, &[Tick::Min, Tick::FiveMins]),
        "min:100/3 gated:100 5mins:100/3 "
    );
    // 50 more bytes: the minute's increase is not above 60, so `gated` is not called.
    h.bytes_sent += 50;
    h.packets_sent += 1;
    h.changed = ts(t0 + 30);
    assert_eq!(round(&mut rt, t0 + 60, &h, &[Tick::Min]), "min:50/1 ");
    // The 5-minute delta spans both minutes.
    h.bytes_rcvd += 100;
    h.changed = ts(t0 + 90);
    assert_eq!(
        round(&mut rt, t0 + 120, &h, &[Tick::Min, Tick::FiveMins]),
        "min:100/0 gated:100 5mins:150/1 "
    );
    // Counters that went back (a host that came back as new): everything counts.
    (h.bytes_sent, h.bytes_rcvd, h.packets_sent, h.packets_rcvd) = (5, 0, 1, 0);
    h.changed = ts(t0 + 150);
    assert_eq!(round(&mut rt, t0 + 180, &h, &[Tick::Min]), "min:5/1 ");
    // Remote hosts have no round deltas (whatever reads them is local-only).
    remote.changed = ts(t0 + 200);
    assert_eq!(round(&mut rt, t0 + 240, &remote, &[Tick::Min]), "min:nil ");
    assert!(rt.scripts().iter().all(|s| s.errors == 0));
}

#[test]
fn changed_prefilter_follows_the_hosts_dns_counters() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p");
    write(
        &p,
        "user_scripts/host/dns.lua",
        r#"local s = { hooks = {}, prefilter = { changed = "dns" },
  gui = { i18n_title = "d", i18n_description = "d" } }
function s.hooks.min(params) io.write("dns:", host.getDNSInfo().dns.sent.num_queries, " ") end
return s"#,
    );
    let mut rt = runtime(&p, &dir.path().join("data"));
    let (mut h, _) = two_hosts();
    h.local = true;
    let t0 = 1_700_000_100;
    let round = |rt: &mut Runtime, at: u64, h: &Host| {
        rt.host_tick(Tick::Min, ts(at), h);
        rt.system_tick(Tick::Min, ts(at));
        out(rt)
    };
    // No DNS counters at all: nothing to look at.
    assert_eq!(round(&mut rt, t0, &h), "");
    let mut app = weir_flow::HostAppStats::default();
    app.add_dns(true, 1, true, 0);
    h.app = Some(Box::new(app));
    assert_eq!(round(&mut rt, t0 + 60, &h), "dns:1 ");
    // Unchanged since the previous minute: left out.
    assert_eq!(round(&mut rt, t0 + 120, &h), "");
    app.add_dns(true, 28, false, 0);
    h.app = Some(Box::new(app));
    assert_eq!(round(&mut rt, t0 + 180, &h), "dns:2 ");
}

#[test]
fn host_deltas_of_a_granularity_without_min_hooks() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p");
    write(
        &p,
        "user_scripts/host/five.lua",
        r#"local s = { hooks = {}, gui = { i18n_title = "f", i18n_description = "f" } }
s.hooks["5mins"] = function(params) io.write(host.getDeltas().bytes, " ") end
return s"#,
    );
    let mut rt = runtime(&p, &dir.path().join("data"));
    let (mut h, _) = two_hosts();
    h.local = true;
    let t0 = 1_700_000_100;
    let mut round = |at: u64, h: &Host| {
        for t in [Tick::Min, Tick::FiveMins] {
            rt.host_tick(t, ts(at), h);
            rt.system_tick(t, ts(at));
        }
        out(&mut rt)
    };
    (h.bytes_sent, h.bytes_rcvd) = (100, 0);
    h.changed = ts(t0);
    assert_eq!(round(t0, &h), "100 ");
    h.bytes_sent += 30;
    h.changed = ts(t0 + 100);
    assert_eq!(round(t0 + 300, &h), "30 ");
}
