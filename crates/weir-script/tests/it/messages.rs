//! Alert messages (`msg`): every core definition formats one, and stored alerts carry
//! the message of their definition's formatter (ntopng 4.2's `i18n_description`:
//! a function, an i18n key of the plugin's locales, or literal text).

use std::path::Path;
use std::time::Duration;

use weir_alerts::{AlertQuery, AlertStore, SqliteConfig, SqliteStore, StoreSink, WriterConfig};
use weir_script::Runtime;

use crate::common::*;

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn every_core_definition_has_a_formatter_that_writes_text() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "probe/user_scripts/flow/probe.lua",
        r##"local alert_consts = require('alert_consts')
local flow_consts = require('flow_consts')
local bad, n = {}, 0
local samples = {
  {},
  { metric = "flows", value = 120, operator = "gt", threshold = 50, cli_ip = "10.0.0.1", srv_ip = "10.0.0.2",
    srv_port = 53, info = "example.org", device = "aa:bb:cc:dd:ee:ff", drops = 3, signature = "ET SCAN x",
    tls_crt = { cli = "a.org", srv = "b.org", notBefore = 1, notAfter = 2 }, risk_id = 6, filename = "a.exe",
    ["blacklisted.srv"] = true, ["elephant.l2r_threshold"] = 1000000, tcp_stats = { ["cli2srv.retransmissions"] = 3 } },
}
local function check(what, s)
  if type(s) ~= "string" or s:gsub("%s", "") == "" then bad[#bad+1] = what .. ": empty"
  elseif s:find("[{}]") then bad[#bad+1] = what .. ": raw JSON " .. s
  elseif s:find("^[%w_]+%.[%w_%.]+$") then bad[#bad+1] = what .. ": untranslated " .. s end
end
for name, def in pairs(alert_consts.alert_types) do
  n = n + 1
  if type(def.i18n_description) ~= "function" then bad[#bad+1] = name .. ": no formatter"
  else
    for i, p in ipairs(samples) do
      local ok, s = pcall(def.i18n_description, 0, { alert_subtype = "sub", alert_entity_val = "10.0.0.1@0" }, p)
      if not ok then bad[#bad+1] = name .. ": " .. tostring(s) else check(name .. "#" .. i, s) end
    end
  end
end
for name, def in pairs(flow_consts.status_types) do
  for i, p in ipairs(samples) do
    local ok, s = pcall(flow_consts.getStatusDescription, def.status_key, p)
    if not ok then bad[#bad+1] = name .. ": " .. tostring(s) else check(name .. "#" .. i, s) end
  end
end
table.sort(bad)
io.write(n, " ", table.concat(bad, "\n"))
return { hooks = { protocolDetected = function() end }, gui = { i18n_title = 'p', i18n_description = 'p' } }
"##,
    );
    let (mut rt, report) = load(vec![dir.path().to_path_buf()]);
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let out = String::from_utf8(rt.take_output()).unwrap();
    assert_eq!(out, "64 ");
}

/// A plugin with the three shapes of `i18n_description`, and core types.
const PLUGIN: &[(&str, &str)] = &[
    (
        "locales/en.lua",
        r#"return { fmt_title = "Formatted", fmt_text = "Port %{port} seen %{times} times",
  key_title = "Keyed", key_text = "Server <b>%{srv}</b> answered", st_title = "Port status" }"#,
    ),
    (
        "alert_definitions/alert_msg_fn.lua",
        r#"local alert_keys = require("alert_keys")
return { alert_key = alert_keys.user.alert_user_01, i18n_title = "msgs.fmt_title", icon = "fas fa-a",
  creator = function(sev, port, times) return { alert_severity = sev, alert_type_params = { port = port, times = times } } end,
  i18n_description = function(ifid, alert, p) return i18n("msgs.fmt_text", { port = p.port, times = p.times }) end }"#,
    ),
    (
        "alert_definitions/alert_msg_key.lua",
        r#"local alert_keys = require("alert_keys")
return { alert_key = alert_keys.user.alert_user_02, i18n_title = "msgs.key_title", icon = "fas fa-b",
  i18n_description = "msgs.key_text" }"#,
    ),
    (
        "alert_definitions/alert_msg_none.lua",
        r#"local alert_keys = require("alert_keys")
return { alert_key = alert_keys.user.alert_user_03, i18n_title = "msgs.key_title", icon = "fas fa-c" }"#,
    ),
    (
        "status_definitions/status_msg_port.lua",
        r#"local alert_consts = require("alert_consts")
local flow_keys = require("flow_keys")
return { status_key = flow_keys.user.status_user_01, alert_severity = alert_consts.alert_severities.error,
  alert_type = alert_consts.alert_types.alert_msg_fn, i18n_title = "msgs.st_title",
  i18n_description = function(info) return "Flow to port " .. tostring(info.port) end }"#,
    ),
    (
        "user_scripts/flow/msgs.lua",
        r#"local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")
local flow_consts = require("flow_consts")
local at, sev = alert_consts.alert_types, alert_consts.alert_severities
local s = { hooks = {}, gui = { i18n_title = "m", i18n_description = "m" } }
function s.hooks.protocolDetected(now)
  local e = alerts_api.hostAlertEntity("10.0.0.1", 0)
  alerts_api.store(e, at.alert_msg_fn.create(sev.warning, 8080, 3))
  local k = { alert_type = at.alert_msg_key, alert_severity = sev.notice, alert_type_params = { srv = "10.0.0.2" } }
  alerts_api.store(e, k)
  alerts_api.store(e, { alert_type = at.alert_msg_none, alert_severity = sev.notice, alert_type_params = { a_b = 1, c = { d = "x" } } })
  alerts_api.store(e, at.alert_threshold_cross.create(sev.error, "bytes", nil, "bytes", 10, "gt", 5))
  flow.triggerStatus(flow_consts.status_types.status_msg_port.create(sev.error, 443, 1), 100, 50, 50)
end
return s"#,
    ),
];

#[test]
fn stored_alerts_carry_their_formatters_message() {
    let data = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_dir(data.path(), SqliteConfig::default()).unwrap();
    let sink = StoreSink::spawn(&store, WriterConfig::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in PLUGIN {
        write(dir.path(), &format!("msgs/{rel}"), text);
    }
    let mut cfg = config(vec![dir.path().to_path_buf()]);
    cfg.alert_store = Some(weir_script::AlertStore(sink.sender()));
    let (mut rt, report) = Runtime::load(cfg).expect("VM");
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let out = protocol_detected_once(&mut rt);
    assert!(!out.contains("rror"), "{out}");
    rt.with_alerts(|a| a.flush(Duration::from_secs(30)))
        .unwrap();
    let mut past: Vec<(String, String)> = store
        .query(&AlertQuery::past())
        .unwrap()
        .iter()
        .map(|r| (r.alert_name().to_owned(), r.msg().to_owned()))
        .collect();
    past.sort();
    assert_eq!(
        past,
        [
            ("alert_msg_fn".into(), "Port 8080 seen 3 times".into()),
            ("alert_msg_key".into(), "Server 10.0.0.2 answered".into()),
            ("alert_msg_none".into(), "Keyed: a b 1, c d x".into()),
            (
                "alert_threshold_cross".into(),
                "bytes crossed: 10 > 5".into()
            ),
        ]
    );
    let flow = store.query(&AlertQuery::flow()).unwrap();
    assert_eq!(flow.len(), 1);
    assert_eq!(flow[0].msg(), "Flow to port 443");
    sink.shutdown(Duration::from_secs(10)).unwrap();
}

#[test]
fn the_built_in_plugins_definitions_format_their_messages() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "zz_probe/user_scripts/flow/zz_probe.lua",
        r##"local alert_consts = require('alert_consts')
local flow_consts = require('flow_consts')
local p = { ["protos.http.last_url"] = "/setup.exe", ["protos.http.server_name"] = "dl.example",
  what = "busy host", srv_port = 8080, cli_ip = "10.0.0.1", srv_ip = "10.0.0.2", latency_ms = 300, threshold = 100 }
local out = {}
local function text(d, ...)
  if type(d) == "function" then return d(...) end
  if type(d) == "string" then return i18n(d, p) or d end
  return nil
end
for name, def in pairs(alert_consts.alert_types) do
  if def.alert_key >= 32768 then
    out[#out+1] = name .. "=" .. tostring(text(def.i18n_description, 0, {}, p))
  end
end
for name, def in pairs(flow_consts.status_types) do
  if def.status_key >= 59 then out[#out+1] = name .. "=" .. tostring(text(def.i18n_description, p)) end
end
table.sort(out)
io.write(table.concat(out, "\n"))
return { hooks = { protocolDetected = function() end }, gui = { i18n_title = 'p', i18n_description = 'p' } }
"##,
    );
    let (mut rt, report) = load(vec![workspace().join("plugins"), dir.path().to_path_buf()]);
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let out = String::from_utf8(rt.take_output()).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "alert_example=busy host",
            "alert_exe_download=Executable file downloaded: dl.example/setup.exe",
            "alert_rdp_high_latency=RDP 10.0.0.1 -> 10.0.0.2: network latency 300 ms (threshold 100 ms)",
            "high_latency=RDP 10.0.0.1 -> 10.0.0.2: network latency 300 ms (threshold 100 ms)",
            "status_example_watched_port=Flow to a watched server port (8080)",
            "status_exe_download=Executable file downloaded: dl.example/setup.exe",
        ],
        "{out}"
    );
}
