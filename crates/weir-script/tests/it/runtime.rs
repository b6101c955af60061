//! Runtime behaviour: check modules, sandbox, modules, reload.

use weir_decode::Timestamp;
use weir_flow::FlowKey;
use weir_script::{FlowHook, FlowView, Runtime};

use crate::common::*;

fn write(dir: &std::path::Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn view(serial: u64) -> Box<FlowView> {
    let (key, a) = FlowKey::new(
        0,
        17,
        ("10.0.0.1".parse().unwrap(), 5353),
        ("10.0.0.2".parse().unwrap(), 53),
    );
    Box::new(FlowView::synthetic(
        key,
        a,
        serial,
        Timestamp(1_700_000_000_000_000),
    ))
}

#[test]
fn check_module_of_seed_003_receives_the_flow_info_table() {
    let (mut rt, report) = load(vec![test_plugin("check_module")]);
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    assert_eq!(report.scripts[0].format, "check_module");
    assert_eq!(report.scripts[0].hooks, ["protocolDetected"]);
    let pcap = capture(50, 3);
    let engine = replay(&pcap, &mut rt);
    let out = String::from_utf8(rt.take_output()).unwrap();
    assert_eq!(
        out.lines().count() as u64,
        engine.interface().flows_created,
        "{out}"
    );
    assert!(
        out.lines()
            .all(|l| l.starts_with("check_module: ") && l.contains(" -> "))
    );
    assert!(
        out.contains("check_module: HTTP") || out.contains("check_module: DNS"),
        "{out}"
    );
}

#[test]
fn sandbox_exposes_only_the_documented_functions() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "sb/user_scripts/flow/sb.lua",
        r#"
local s = { hooks = {}, gui = { i18n_title = "sb", i18n_description = "sb" } }
function s.hooks.protocolDetected(now, conf)
  local r = {}
  for _, n in ipairs({"load", "loadfile", "dofile", "debug", "coroutine"}) do r[#r+1] = n .. "=" .. type(_G[n]) end
  local io_names, os_names = {}, {}
  for k in pairs(io) do io_names[#io_names+1] = k end
  for k in pairs(os) do os_names[#os_names+1] = k end
  table.sort(io_names); table.sort(os_names)
  r[#r+1] = "io=" .. table.concat(io_names, ",")
  r[#r+1] = "os=" .. table.concat(os_names, ",")
  r[#r+1] = "time=" .. math.type(os.time())
  r[#r+1] = "conf=" .. type(conf)
  r[#r+1] = "now=" .. now
  local ok = pcall(function() getmetatable("").__index = nil end)
  r[#r+1] = "strmeta=" .. tostring(ok)
  local dirs = ntop.getDirs()
  package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
  require "lua_utils"
  local json = require("dkjson")
  r[#r+1] = "json=" .. json.encode(json.decode('{"a":[1,2]}'))
  io.write(table.concat(r, " "), "\n")
end
return s
"#,
    );
    let (mut rt, report) = load(vec![dir.path().to_path_buf()]);
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    rt.dispatch_view(
        FlowHook::ProtocolDetected,
        Timestamp(1_700_000_000_000_000),
        view(1),
    );
    let out = String::from_utf8(rt.take_output()).unwrap();
    assert_eq!(
        out.trim(),
        "load=nil loadfile=nil dofile=nil debug=nil coroutine=nil io=write os=clock,date,difftime,time \
         time=integer conf=table now=1700000000 strmeta=false json={\"a\":[1,2]}"
    );
    assert!(rt.scripts()[0].errors == 0, "{:?}", rt.scripts());
}

#[test]
fn filters_are_applied_before_lua_and_prio_orders_scripts() {
    let dir = tempfile::tempdir().unwrap();
    for (name, extra) in [
        ("a_dns", "l7_proto = 'DNS',"),
        ("b_tcp", "l4_proto = 'tcp',"),
        ("c_udp", "l4_proto = 'udp', prio = 10,"),
        ("d_off", "default_enabled = false,"),
        ("e_setup", ""),
    ] {
        write(
            dir.path(),
            &format!("f/user_scripts/flow/{name}.lua"),
            &format!(
                r#"
local s = {{ {extra} hooks = {{}}, gui = {{ i18n_title = "x", i18n_description = "x" }} }}
function s.hooks.protocolDetected(now) io.write("{name} ") end
function s.setup() return "{name}" ~= "e_setup" end
return s
"#
            ),
        );
    }
    let (mut rt, report) = load(vec![dir.path().to_path_buf()]);
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let mut v = view(1);
    v.l7.master = weir_flow::Proto::DNS;
    rt.dispatch_view(
        FlowHook::ProtocolDetected,
        Timestamp(1_700_000_000_000_000),
        v,
    );
    assert_eq!(String::from_utf8(rt.take_output()).unwrap(), "c_udp a_dns ");
    let info = rt.scripts();
    let off = info.iter().find(|s| s.key == "d_off").unwrap();
    assert_eq!(
        off.inactive_reason.as_deref(),
        Some("default_enabled = false")
    );
    let setup = info.iter().find(|s| s.key == "e_setup").unwrap();
    assert_eq!(
        setup.inactive_reason.as_deref(),
        Some("setup() returned false")
    );
}

#[test]
fn api_outside_a_hook_returns_nil_and_three_trigger_forms_work() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "p/alert_definitions/alert_p.lua",
        "local k = require 'alert_keys'\nreturn { alert_key = k.user.alert_user_02, i18n_title = 'P', icon = 'fas fa-bug', creator = function(sev, info) return { alert_severity = sev, alert_type_params = info } end }\n",
    );
    write(
        dir.path(),
        "p/status_definitions/status_p.lua",
        r#"
local ac = require("alert_consts")
return { status_key = 60, alert_type = ac.alert_types.alert_p, alert_severity = ac.alert_severities.warning, i18n_title = "P" }
"#,
    );
    write(
        dir.path(),
        "p/user_scripts/flow/p.lua",
        r#"
local fc = require("flow_consts")
local outside = flow.getInfo()
local s = { hooks = {}, gui = { i18n_title = "x", i18n_description = "x" } }
function s.hooks.protocolDetected(now)
  local k = flow.getKey()
  if k == 1 then flow.triggerStatus(fc.status_types.status_p.create(nil, {form = "A"}), 20, 1, 1)
  elseif k == 2 then flow.triggerStatus(fc.status_types.status_p, {form = "B"}, 30, 1, 1)
  else flow.triggerStatus(60, "form C", 40, 1, 1, require("alert_consts").alert_severities.critical) end
  io.write(tostring(outside), " ", tostring(flow.isStatusSet(60)), " ", flow.getAlertedStatus(), "\n")
end
return s
"#,
    );
    let (mut rt, report) = load(vec![dir.path().to_path_buf()]);
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    for i in 1..=3 {
        rt.dispatch_view(
            FlowHook::ProtocolDetected,
            Timestamp(1_700_000_000_000_000),
            view(i),
        );
    }
    assert_eq!(
        String::from_utf8(rt.take_output()).unwrap(),
        "nil true 0\n".repeat(3)
    );
    let ev = rt.take_events();
    let alerts: Vec<_> = ev.iter().filter(|e| e["event"] == "flow_alert").collect();
    assert_eq!(alerts.len(), 3);
    let j = |i: usize| {
        serde_json::from_str::<serde_json::Value>(alerts[i]["alert_json"].as_str().unwrap())
            .unwrap()
    };
    assert_eq!(j(0)["form"], "A");
    assert_eq!(j(1)["form"], "B");
    assert_eq!(j(2)["status_info"], "form C");
    assert_eq!(alerts[0]["alert_severity"], 4);
    assert_eq!(alerts[2]["alert_severity"], 6, "custom severity");
    assert_eq!(alerts[2]["score"], 40);
}

#[test]
fn reload_keeps_flow_state_and_a_broken_plugin_keeps_its_previous_version() {
    let dir = tempfile::tempdir().unwrap();
    let good = "local s = { hooks = {}, gui = { i18n_title = 'x', i18n_description = 'x' } }\n\
                function s.hooks.protocolDetected(now) io.write('VERSION\\n') end\nreturn s\n";
    write(
        dir.path(),
        "one/user_scripts/flow/one.lua",
        &good.replace("VERSION", "one v1"),
    );
    write(
        dir.path(),
        "two/user_scripts/flow/two.lua",
        &good.replace("VERSION", "two v1"),
    );
    let (mut rt, _) = load(vec![dir.path().to_path_buf()]);
    rt.dispatch_view(FlowHook::ProtocolDetected, Timestamp(1_000_000), view(1));
    assert_eq!(
        String::from_utf8(rt.take_output()).unwrap(),
        "one v1\ntwo v1\n"
    );

    write(
        dir.path(),
        "one/user_scripts/flow/one.lua",
        &good.replace("VERSION", "one v2"),
    );
    write(
        dir.path(),
        "two/user_scripts/flow/two.lua",
        "local s = { hooks = {} \nreturn s\n",
    );
    let report = rt.reload();
    let two = report.plugins.iter().find(|p| p.key == "two").unwrap();
    let why = two.kept_previous_version.as_deref().unwrap();
    assert!(why.contains("/two/user_scripts/flow/two.lua:2"), "{why}");
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.plugin == "two" && p.message.contains("previous version kept"))
    );
    rt.dispatch_view(FlowHook::ProtocolDetected, Timestamp(2_000_000), view(2));
    assert_eq!(
        String::from_utf8(rt.take_output()).unwrap(),
        "one v2\ntwo v1\n"
    );

    // Through the handle (SIGHUP): applied at the next flow batch.
    write(
        dir.path(),
        "two/user_scripts/flow/two.lua",
        &good.replace("VERSION", "two v3"),
    );
    rt.reload_handle()
        .store(true, std::sync::atomic::Ordering::Relaxed);
    rt.dispatch_view(FlowHook::ProtocolDetected, Timestamp(3_000_000), view(3));
    assert_eq!(
        String::from_utf8(rt.take_output()).unwrap(),
        "one v2\ntwo v3\n"
    );
}

#[test]
fn reload_mid_replay_keeps_flows_and_alerts_once() {
    let pcap = capture(300, 7);
    let mut oracle = ExeOracle::default();
    replay(&pcap, &mut oracle);
    let (mut rt, _) = load(vec![workspace().join("plugins/exes_download")]);
    let mut engine = weir_flow::Engine::new(weir_flow::EngineConfig::default());
    let frames = replay_into(&pcap, &mut engine, &mut rt, 3000);
    let flows_before = engine.flows().len();
    assert!(flows_before > 0);
    rt.reload();
    assert_eq!(
        engine.flows().len(),
        flows_before,
        "reload does not touch the flow table"
    );
    // The rest of the capture.
    let mut r =
        weir_decode::capture::CaptureReader::new(std::io::Cursor::new(pcap.clone()), "g").unwrap();
    let mut n = 0;
    while let Some(f) = r.next_frame() {
        let f = f.unwrap();
        n += 1;
        if n <= frames {
            continue;
        }
        let wire = f.orig_len.max(f.data.len() as u32);
        if let Ok(p) = weir_decode::decode(f.linktype, f.data) {
            engine.process(f.ts, wire, &p, &mut rt);
        }
    }
    engine.finish(&mut rt);
    let alerts = rt
        .take_events()
        .into_iter()
        .filter(|e| e["event"] == "flow_alert")
        .count();
    assert_eq!(alerts, oracle.urls.len());
}

#[test]
fn runtime_is_usable_with_no_plugins() {
    let dir = tempfile::tempdir().unwrap();
    let (mut rt, report) = Runtime::load(config(vec![dir.path().to_path_buf()])).unwrap();
    assert!(report.plugins.is_empty() && report.problems.is_empty());
    rt.dispatch_view(FlowHook::FlowEnd, Timestamp(1), view(1));
}

#[test]
fn every_flow_hook_fires_from_the_visitor() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "h/user_scripts/flow/hooks.lua",
        r#"
local fc = require("flow_consts")
local s = { hooks = {}, gui = { i18n_title = "h", i18n_description = "h" } }
function s.hooks.protocolDetected(now) io.write("P\n"); flow.setStatus(fc.status_types.status_udp_unidirectional, 1, 1, 1) end
function s.hooks.statusChanged(now) io.write("S ", tostring(flow.isStatusSet(26)), "\n") end
function s.hooks.idle(now) io.write("E\n") end
return s
"#,
    );
    write(
        dir.path(),
        "h/user_scripts/flow/all.lua",
        r#"
local s = { hooks = {}, gui = { i18n_title = "a", i18n_description = "a" } }
function s.hooks.all(now, conf) conf.n = (conf.n or 0) + 1 end
function s.teardown() io.write("T\n") end
return s
"#,
    );
    let (mut rt, report) = load(vec![dir.path().to_path_buf()]);
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let all = report.scripts.iter().find(|s| s.key == "all").unwrap();
    assert_eq!(all.hooks, ["all"]);
    let pcap = capture(100, 5);
    let engine = replay(&pcap, &mut rt);
    rt.finish();
    let out = String::from_utf8(rt.take_output()).unwrap();
    let n = |c: &str| out.lines().filter(|l| l.starts_with(c)).count() as u64;
    let flows = engine.interface().flows_created;
    assert_eq!(n("P"), flows);
    assert_eq!(n("E"), flows);
    // Every flow gets it for the status set by protocolDetected (a few get it again
    // when the engine sets a status of its own later).
    assert!(
        n("S true") >= flows && n("S true") <= flows + flows / 10,
        "{}",
        n("S true")
    );
    assert_eq!(n("S false"), 0);
    assert!(n("T") > 0, "teardown after visits");
    let calls = rt.scripts().iter().find(|s| s.key == "all").unwrap().calls;
    assert!(calls >= 3 * flows, "{calls} calls for {flows} flows");
}

#[test]
fn host_interface_and_system_scripts_run_on_ticks() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "e/user_scripts/host/talkers.lua",
        r#"
local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")
local s = { local_only = true, hooks = {}, gui = { i18n_title = "t", i18n_description = "t" },
            default_value = "talkers;gt;1000" }
function s.hooks.min(params)
  local b = host.getBytes()
  if params.entity_info.ip ~= host.getIp().ip then error("entity mismatch") end
  if b["bytes.sent"] > params.user_script_config.threshold then
    alerts_api.store(params.alert_entity, {
      alert_type = alert_consts.alert_types.alert_internals,
      alert_severity = alert_consts.alert_severities.info,
      alert_granularity = params.granularity,
      alert_subtype = params.user_script.key,
      alert_type_params = { bytes = b["bytes.sent"] },
    })
  end
end
return s
"#,
    );
    write(
        dir.path(),
        "e/user_scripts/interface/iface.lua",
        r#"
local s = { hooks = {}, gui = { i18n_title = "i", i18n_description = "i" } }
function s.hooks.all(params) io.write("iface ", params.granularity, " ", params.alert_entity.alert_entity_val, " ", params.entity_info.stats.packets > 0 and "traffic" or "idle", "\n") end
return s
"#,
    );
    write(
        dir.path(),
        "e/user_scripts/system/sys.lua",
        r#"
local s = { hooks = {}, gui = { i18n_title = "s", i18n_description = "s" } }
function s.hooks.min(params) io.write("system ", params.granularity, " ", tostring(params.entity_info), "\n") end
return s
"#,
    );
    let mut cfg = config(vec![dir.path().to_path_buf()]);
    cfg.local_networks = vec!["192.168.0.0/16".parse().unwrap()];
    let (mut rt, report) = Runtime::load(cfg).unwrap();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    assert!(
        report.scripts.iter().all(|s| s.active),
        "{:#?}",
        report.scripts
    );
    let pcap = capture(200, 5);
    let mut engine = weir_flow::Engine::new(weir_flow::EngineConfig {
        local_networks: vec!["192.168.0.0/16".parse().unwrap()],
        ..Default::default()
    });
    replay_into(&pcap, &mut engine, &mut rt, usize::MAX);
    engine.finish(&mut rt);
    let out = String::from_utf8(rt.take_output()).unwrap();
    let mins = out
        .lines()
        .filter(|l| l.starts_with("system min nil"))
        .count();
    assert!(
        mins >= 8,
        "a 600 s capture has about 10 minute ticks: {out}"
    );
    assert_eq!(
        out.lines()
            .filter(|l| l.starts_with("iface min 0 "))
            .count(),
        mins
    );
    assert!(
        out.lines().any(|l| l.starts_with("iface 5mins 0 traffic")),
        "{out}"
    );
    let talkers = rt
        .scripts()
        .into_iter()
        .find(|s| s.key == "talkers")
        .unwrap();
    assert_eq!(talkers.errors, 0, "{talkers:?}");
    assert!(talkers.calls > 0);
    let ev = rt.take_events();
    let stored: Vec<_> = ev
        .iter()
        .filter(|e| e["event"] == "alert" && e["alert_subtype"] == "talkers")
        .collect();
    assert!(!stored.is_empty());
    for a in stored {
        assert_eq!(a["alert_entity"], 1);
        assert!(
            a["alert_entity_val"]
                .as_str()
                .unwrap()
                .starts_with("192.168."),
            "local_only: {a}"
        );
        assert!(a["params"]["bytes"].as_u64().unwrap() > 1000);
    }
}

#[test]
fn threshold_check_function_engages_and_cur_alerts_releases() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "t/user_scripts/host/host_bytes.lua",
        r#"
local alerts_api = require("alerts_api")
local last = {}
local script = {
  local_only = true,
  default_value = "host_bytes;gt;2000",
  hooks = { min = alerts_api.threshold_check_function },
  gui = { i18n_title = "Bytes", i18n_description = "Bytes sent per minute" },
}
function script.get_threshold_value(granularity, info)
  local sent = host.getBytes()["bytes.sent"]
  local key = info.ip .. "@" .. info.vlan
  local delta = sent - (last[key] or 0)
  last[key] = sent
  return delta
end
return script
"#,
    );
    write(
        dir.path(),
        "t/user_scripts/interface/once.lua",
        r#"
local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")
local done = false
local s = { hooks = {}, gui = { i18n_title = "o", i18n_description = "o" } }
function s.hooks.min(params)
  if done then return end
  done = true
  alerts_api.trigger(params.alert_entity, alerts_api.thresholdCrossType(params.granularity, "once", 1, "gt", 0), nil, params.cur_alerts)
end
return s
"#,
    );
    let mut cfg = config(vec![dir.path().to_path_buf()]);
    cfg.local_networks = vec!["192.168.0.0/16".parse().unwrap()];
    let (mut rt, report) = Runtime::load(cfg).unwrap();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let pcap = capture(200, 5);
    let mut engine = weir_flow::Engine::new(weir_flow::EngineConfig {
        local_networks: vec!["192.168.0.0/16".parse().unwrap()],
        ..Default::default()
    });
    replay_into(&pcap, &mut engine, &mut rt, usize::MAX);
    engine.finish(&mut rt);
    assert!(
        rt.scripts().iter().all(|s| s.errors == 0),
        "{:#?}",
        rt.scripts()
    );
    let ev = rt.take_events();
    let of = |action: &str, sub: &str| {
        ev.iter()
            .filter(|e| {
                e["event"] == "alert"
                    && e["action"] == action
                    && e["alert_subtype"].as_str().unwrap_or("").ends_with(sub)
            })
            .count()
    };
    assert!(of("trigger", "min_host_bytes") > 0, "engaged: {ev:#?}");
    assert!(
        of("release", "min_host_bytes") > 0,
        "released when below the threshold"
    );
    assert_eq!(of("trigger", "min_once"), 1);
    let auto: Vec<_> = ev.iter().filter(|e| e["auto"] == true).collect();
    assert_eq!(
        auto.len(),
        1,
        "not re-triggered: released automatically: {auto:?}"
    );
    assert_eq!(auto[0]["alert_type"], 49);
}

#[test]
fn the_seed_suricata_syslog_script_handles_events() {
    let (mut rt, report) = load(vec![test_plugin("syslog_suricata")]);
    let warnings: Vec<_> = report.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        warnings,
        Vec::<&str>::new(),
        "no problem: syslog scripts need no gui (the seed example has none)"
    );
    let s = &report.scripts[0];
    assert_eq!(
        (s.subdir.as_str(), s.key.as_str(), s.active),
        ("syslog", "suricata", true)
    );
    let msg = r#"{"timestamp":"2020-01-01T00:00:00","event_type":"alert","src_ip":"10.0.0.1","alert":{"signature_id":2013028,"signature":"ET POLICY curl User-Agent Outbound","severity":2}}"#;
    assert!(rt.syslog_event(Timestamp(1_000_000), "suricata", msg, "ids", 14));
    assert!(!rt.syslog_event(Timestamp(1_000_000), "fortinet", msg, "fw", 14));
    let out = String::from_utf8(rt.take_output()).unwrap();
    assert!(
        out.contains("alert.signature string ET POLICY curl User-Agent Outbound\n"),
        "{out}"
    );
    assert!(out.contains("alert.signature_id number 2013028\n"), "{out}");
    assert!(out.contains("src_ip string 10.0.0.1\n"), "{out}");
    assert_eq!(rt.scripts()[0].errors, 0);

    // The 4.2 signature: (syslog_conf, message, host, priority).
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "s/user_scripts/syslog/myapp.lua",
        r#"
local m = { hooks = {} }
function m.hooks.handleEvent(conf, message, host, priority)
  io.write(tostring(conf.myapp.all.enabled), " ", message, " ", host, " ", priority, "\n")
end
return m
"#,
    );
    let (mut rt, _) = load(vec![dir.path().to_path_buf()]);
    assert!(rt.syslog_event(Timestamp(1_000_000), "myapp", "hello", "10.1.1.1", 13));
    assert_eq!(
        String::from_utf8(rt.take_output()).unwrap(),
        "true hello 10.1.1.1 13\n"
    );
}

#[test]
fn periodic_update_seconds_longer_than_the_engine_period_is_honoured() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "p/user_scripts/flow/slow.lua",
        r#"
local s = { periodic_update_seconds = 600, hooks = {}, gui = { i18n_title = "s", i18n_description = "s" } }
function s.hooks.periodicUpdate(now) io.write("slow ", now, "\n") end
return s
"#,
    );
    write(
        dir.path(),
        "p/user_scripts/flow/fast.lua",
        r#"
local s = { hooks = {}, gui = { i18n_title = "f", i18n_description = "f" } }
function s.hooks.periodicUpdate(now) io.write("fast ", now, "\n") end
return s
"#,
    );
    let (mut rt, report) = load(vec![dir.path().to_path_buf()]);
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let mut v = view(1);
    let t0 = v.first_seen.as_secs();
    for k in 1..=4u64 {
        let now = Timestamp((t0 + 300 * k) * 1_000_000);
        v = rt.dispatch_view(FlowHook::PeriodicUpdate, now, v);
    }
    let out = String::from_utf8(rt.take_output()).unwrap();
    let slow: Vec<&str> = out.lines().filter(|l| l.starts_with("slow")).collect();
    assert_eq!(out.lines().filter(|l| l.starts_with("fast")).count(), 4);
    assert_eq!(
        slow,
        [format!("slow {}", t0 + 600), format!("slow {}", t0 + 1200)]
    );
}

#[test]
fn every_api_function_survives_any_arguments() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "z/user_scripts/flow/z.lua",
        r#"
local s = { hooks = {}, gui = { i18n_title = "z", i18n_description = "z" } }
local args = { {}, {nil}, {1}, {-1}, {1e300}, {0/0}, {"x"}, {{}}, {{status_key = 59}}, {{status_type = {}}},
               {true}, {59, 2000, -5, "a"}, {{}, {}, {}, {}, {}, {}}, {function() end} }
function s.hooks.protocolDetected(now)
  local n = 0
  for _, lib in ipairs({ flow, host, ntop, interface, require("alerts_api"), require("alert_consts"), require("flow_consts"), require("lua_utils"), require("dkjson") }) do
    for name, f in pairs(lib) do
      -- msleep(1e300) sleeps out the call's wall-clock budget, ending it (by design);
      -- resolveHost("x") would ask the system's DNS resolver.
      if type(f) == "function" and name ~= "reloadPlugins" and name ~= "reloadPeriodicScripts"
        and name ~= "msleep" and name ~= "resolveHost" then
        for _, a in ipairs(args) do
          pcall(f, table.unpack(a, 1, 6))
          n = n + 1
        end
      end
    end
  end
  io.write(n, "\n")
end
return s
"#,
    );
    let mut cfg = config(vec![dir.path().to_path_buf()]);
    cfg.output = weir_script::Output::Buffer;
    let (mut rt, report) = Runtime::load(cfg).unwrap();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let mut v = view(1);
    for i in 0..3 {
        v = rt.dispatch_view(
            FlowHook::ProtocolDetected,
            Timestamp(1_700_000_000_000_000 + i),
            v,
        );
    }
    let out = String::from_utf8(rt.take_output()).unwrap();
    let calls: u64 = out.lines().last().unwrap().trim().parse().unwrap();
    assert!(calls > 1000, "{calls}");
    // Misuse is counted against the script (and disables it after enough calls), but
    // nothing panics and the runtime keeps working.
    let s = &rt.scripts()[0];
    assert!(s.errors >= 1, "{s:?}");
    rt.reload();
    assert!(!rt.scripts()[0].disabled);
}

#[test]
fn plugin_modules_can_require_other_modules_and_builtins() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("modular");
    write(
        &p,
        "modules/outer.lua",
        "local inner = require('inner')\nlocal keys = require('alert_keys')\nreturn { greet = function() return inner.word .. ' ' .. type(keys.user) end }\n",
    );
    write(&p, "modules/inner.lua", "return { word = 'hello' }\n");
    write(
        &p,
        "user_scripts/flow/uses_modules.lua",
        "local outer = require('outer')\nlocal script = { hooks = {}, gui = { i18n_title = 'M', i18n_description = 'M' } }\nfunction script.hooks.protocolDetected(now) io.write(outer.greet(), '\\n') end\nreturn script\n",
    );
    let (mut rt, report) = load(vec![dir.path().to_path_buf()]);
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let _ = rt.dispatch_view(
        FlowHook::ProtocolDetected,
        Timestamp(1_700_000_000_000_000),
        view(1),
    );
    assert_eq!(
        String::from_utf8(rt.take_output()).unwrap(),
        "hello table\n"
    );
}
