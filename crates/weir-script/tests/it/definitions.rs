//! ntopng 4.2's core alert and flow status definitions: names, ids, creators,
//! formatters, and plugins that try to redefine them.

use std::path::Path;

use crate::common::*;

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// `id file-key` of every 4.2 alert definition (spec ntopng42-api.md §1.2).
const ALERTS: &str = "1 alert_blacklisted_country 2 alert_broadcast_domain_too_large \
3 alert_device_connection 4 alert_device_disconnection 5 alert_device_protocol_not_allowed \
6 alert_dropped_alerts 7 alert_external_alert 8 alert_flow_blacklisted 9 alert_flow_blocked \
10 alert_flow_misbehaviour 11 alert_flows_flood 12 alert_ghost_network 13 alert_host_pool_connection \
14 alert_host_pool_disconnection 16 alert_influxdb_error 17 alert_influxdb_export_failure \
18 alert_internals 19 alert_ip_outsite_dhcp_range 20 alert_list_download_failed 21 alert_login_failed \
22 alert_mac_ip_association_change 23 alert_malicious_signature 25 alert_misconfigured_app \
26 alert_new_device 27 alert_nfq_flushed 28 alert_none 29 alert_periodic_activity_not_executed \
30 alert_am_threshold_cross 31 alert_port_duplexstatus_change 32 alert_port_errors \
33 alert_port_load_threshold_exceeded 34 alert_port_mac_changed 35 alert_port_status_change \
36 alert_potentially_dangerous_protocol 37 alert_process_notification 38 alert_quota_exceeded \
39 alert_remote_to_remote 40 alert_request_reply_ratio 41 alert_slow_periodic_activity \
42 alert_slow_purge 43 alert_snmp_device_reset 44 alert_snmp_topology_changed \
45 alert_suspicious_activity 46 alert_tcp_syn_flood 47 alert_tcp_syn_scan 49 alert_threshold_cross \
50 alert_too_many_drops 51 alert_udp_unidirectional 53 alert_user_activity \
54 alert_user_script_calls_drops 55 alert_web_mining 56 alert_connection_issues \
57 alert_suspicious_file_transfer 58 alert_known_proto_on_non_std_port 59 alert_host_log \
60 alert_attack_mitigation_via_snmp 61 alert_iec104_error 62 alert_flow_risk \
63 alert_unexpected_dns 64 alert_unexpected_smtp 65 alert_unexpected_dhcp 66 alert_unexpected_ntp \
68 alert_lateral_movement 69 alert_list_download_succeeded";

/// `key file-key alert-type severity` of every 4.2 flow status (§2.2).
const STATUSES: &str = "0 status_normal alert_none info \
1 status_blacklisted alert_flow_blacklisted error \
2 status_blacklisted_country alert_blacklisted_country error \
3 status_blocked alert_flow_blocked info \
4 status_data_exfiltration alert_flow_misbehaviour error \
5 status_device_protocol_not_allowed alert_device_protocol_not_allowed error \
6 status_dns_data_exfiltration alert_flow_misbehaviour error \
7 status_dns_invalid_query alert_suspicious_activity error \
8 status_elephant_local_to_remote alert_flow_misbehaviour error \
9 status_elephant_remote_to_local alert_flow_misbehaviour error \
10 status_external_alert alert_external_alert error \
11 status_longlived alert_flow_misbehaviour error \
12 status_low_goodput alert_connection_issues info \
13 status_malicious_signature alert_malicious_signature warning \
14 status_not_purged alert_internals error \
15 status_potentially_dangerous alert_potentially_dangerous_protocol error \
16 status_remote_to_remote alert_remote_to_remote notice \
17 status_suspicious_tcp_probing alert_suspicious_activity info \
18 status_suspicious_tcp_syn_probing alert_suspicious_activity info \
19 status_tcp_connection_issues alert_connection_issues notice \
20 status_tcp_connection_refused alert_suspicious_activity info \
21 status_tcp_severe_connection_issues alert_connection_issues warning \
22 status_tls_certificate_expired alert_potentially_dangerous_protocol error \
23 status_tls_certificate_mismatch alert_potentially_dangerous_protocol error \
24 status_tls_old_protocol_version alert_potentially_dangerous_protocol error \
25 status_tls_unsafe_ciphers alert_potentially_dangerous_protocol error \
26 status_udp_unidirectional alert_udp_unidirectional notice \
27 status_web_mining_detected alert_web_mining error \
28 status_tls_certificate_selfsigned alert_potentially_dangerous_protocol error \
29 status_suspicious_file_transfer alert_suspicious_file_transfer error \
30 status_known_proto_on_non_std_port alert_known_proto_on_non_std_port info \
31 status_flow_risk alert_flow_risk warning \
32 status_unexpected_dhcp alert_unexpected_dhcp error \
33 status_unexpected_dns alert_unexpected_dns error \
34 status_unexpected_smtp alert_unexpected_smtp error \
35 status_unexpected_ntp alert_unexpected_ntp error";

/// A plugin whose script body runs `body` at load time (its output is the result).
fn probe(body: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "probe/user_scripts/flow/probe.lua",
        &format!(
            "local alert_consts = require('alert_consts')\n\
             local flow_consts = require('flow_consts')\n\
             local sev, gran = alert_consts.alert_severities, alert_consts.alerts_granularities\n\
             {body}\n\
             return {{ hooks = {{ protocolDetected = function() end }}, \
             gui = {{ i18n_title = 'p', i18n_description = 'p' }} }}\n"
        ),
    );
    let (mut rt, report) = load(vec![dir.path().to_path_buf()]);
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    String::from_utf8(rt.take_output()).unwrap()
}

#[test]
fn every_core_alert_type_and_status_resolves_with_its_4_2_id() {
    let lua_pairs = |s: &str, n: usize| -> String {
        let w: Vec<&str> = s.split_whitespace().collect();
        w.chunks(n)
            .map(|c| {
                format!(
                    "{{{}}}",
                    c.iter()
                        .map(|x| format!("'{x}'"))
                        .collect::<Vec<_>>()
                        .join(",")
                )
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let out = probe(&format!(
        r#"
local bad, na, ns = {{}}, 0, 0
for _, a in ipairs({{ {alerts} }}) do
  local def = alert_consts.alert_types[a[2]]
  na = na + 1
  if type(def) ~= "table" then bad[#bad+1] = a[2] .. " missing"
  else
    if def.alert_key ~= tonumber(a[1]) then bad[#bad+1] = a[2] .. " key " .. tostring(def.alert_key) end
    if type(def.create) ~= "function" or type(def.icon) ~= "string" then bad[#bad+1] = a[2] .. " create/icon" end
    local t = i18n(def.i18n_title) or def.i18n_title
    if t:find("^[%w_]+%.[%w_%.]+$") then bad[#bad+1] = a[2] .. " untranslated title " .. t end
    if alert_consts.alertTypeRaw(def.alert_key) ~= a[2] then bad[#bad+1] = a[2] .. " alertTypeRaw" end
    if alert_consts.alertType(a[2]) ~= def.alert_key then bad[#bad+1] = a[2] .. " alertType" end
    local d = def.i18n_description
    if type(d) == "function" then
      for _, args in ipairs({{ {{0, {{}}, {{}}}}, {{0, nil, nil}}, {{0, {{alert_subtype = "x"}}, {{value = 1}}}} }}) do
        local ok, s = pcall(d, args[1], args[2], args[3])
        if not ok or type(s) ~= "string" then bad[#bad+1] = a[2] .. " formatter: " .. tostring(s) end
      end
    end
    local ok, r = pcall(def.create, sev.error)
    if not ok or type(r) ~= "table" or r.alert_type ~= def then bad[#bad+1] = a[2] .. " create(): " .. tostring(r) end
  end
end
for _, s in ipairs({{ {statuses} }}) do
  local def = flow_consts.status_types[s[2]]
  ns = ns + 1
  if type(def) ~= "table" then bad[#bad+1] = s[2] .. " missing"
  else
    if def.status_key ~= tonumber(s[1]) then bad[#bad+1] = s[2] .. " key" end
    if def.alert_type ~= alert_consts.alert_types[s[3]] then bad[#bad+1] = s[2] .. " alert type" end
    if def.alert_severity ~= sev[s[4]] then bad[#bad+1] = s[2] .. " severity" end
    local t = flow_consts.getStatusTitle(def.status_key)
    if t == "" or t:find("^[%w_]+%.[%w_%.]+$") then bad[#bad+1] = s[2] .. " untranslated title " .. t end
    if flow_consts.getStatusType(def.status_key) ~= s[2] then bad[#bad+1] = s[2] .. " getStatusType" end
    for _, info in ipairs({{ {{}}, false }}) do
      local ok, d = pcall(flow_consts.getStatusDescription, def.status_key, info or nil)
      if not ok or type(d) ~= "string" or d == "" then bad[#bad+1] = s[2] .. " description: " .. tostring(d) end
      if type(def.i18n_description) == "function" then
        local ok2, d2 = pcall(def.i18n_description, info or nil)
        if not ok2 or type(d2) ~= "string" then bad[#bad+1] = s[2] .. " formatter: " .. tostring(d2) end
      end
    end
    if type(def.create({{}})) ~= "table" or def.create().status_type ~= def then bad[#bad+1] = s[2] .. " create" end
  end
end
io.write(na, " ", ns, " ", table.concat(bad, "; "))
"#,
        alerts = lua_pairs(ALERTS, 2),
        statuses = lua_pairs(STATUSES, 4),
    ));
    assert_eq!(out, "64 36 ");
}

#[test]
fn creators_build_the_4_2_params() {
    let out = probe(
        r#"
local at, st = alert_consts.alert_types, flow_consts.status_types
local function dump(v)
  if type(v) ~= "table" then return tostring(v) end
  local keys = {}
  for k in pairs(v) do keys[#keys+1] = k end
  table.sort(keys)
  local r = {}
  for _, k in ipairs(keys) do
    local x = v[k]
    if k == "alert_type" then x = alert_consts.alertTypeRaw(x.alert_key)
    elseif k == "status_type" then x = flow_consts.getStatusType(x.status_key)
    elseif k == "alert_severity" then x = alert_consts.alertSeverityRaw(x.severity_id)
    elseif k == "alert_granularity" then x = alert_consts.sec2granularity(x.granularity_seconds)
    else x = dump(x) end
    r[#r+1] = k .. "=" .. x
  end
  return "{" .. table.concat(r, ",") .. "}"
end
io.write(dump(at.alert_threshold_cross.create(sev.error, "min_bytes", gran.min, "bytes", 10, "gt", 5)), "\n")
io.write(dump(at.alert_new_device.create(sev.info, "aa:bb:cc:dd:ee:ff")), "\n")
io.write(dump(at.alert_port_status_change.create(sev.warning, "10.0.0.1", 3, "eth3", 2)), "\n")
io.write(dump(at.alert_host_log.create("sshd", sev.warning, "web1", 6, "auth", "failed")), "\n")
io.write(dump(at.alert_blacklisted_country.create(sev.error, "IT", "US", true, false)), "\n")
io.write(dump(at.alert_flow_blocked.create(sev.info)), "\n")
io.write(dump(at.alert_unexpected_dns.create(sev.error, { srv_ip = "1.2.3.4" })), "\n")
io.write(dump(st.status_tcp_connection_issues.create(sev.info, { ["cli2srv.retransmissions"] = 3 }, 10, 20, false, true, false)), "\n")
io.write(dump(st.status_remote_to_remote.create(sev.info)), "\n")
io.write(dump(st.status_udp_unidirectional.create(nil)), "\n")
local ac = require("alert_creators")
io.write(dump(ac.createPoolConnectionDisconnection(sev.notice, 0)), "\n")
io.write(alert_consts.granularity2sec("hour"), " ", alert_consts.MAX_NUM_QUEUED_ALERTS_PER_MODULE, " ",
  alert_consts.MAX_NUM_QUEUED_ALERTS_PER_RECIPIENT, " ", alert_consts.getAlertType(7), " ",
  flow_consts.getStatusType(33), "\n")
io.write(flow_consts.getStatusDescription(19, { cli2srv_pkts = 100, tcp_stats = { ["cli2srv.retransmissions"] = 3 } }), "\n")
io.write(flow_consts.getStatusDescription("status_unexpected_dns", {}), "\n")
io.write(flow_consts.getStatusDescription(26, {}), "\n")
"#,
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "{alert_granularity=min,alert_severity=error,alert_subtype=min_bytes,alert_type=alert_threshold_cross,alert_type_params={metric=bytes,operator=gt,threshold=5,value=10}}",
            "{alert_severity=info,alert_type=alert_new_device,alert_type_params={device=aa:bb:cc:dd:ee:ff}}",
            "{alert_severity=warning,alert_type=alert_port_status_change,alert_type_params={device=10.0.0.1,interface=3,interface_name=eth3,status=2}}",
            "{alert_severity=warning,alert_subtype=sshd,alert_type=alert_host_log,alert_type_params={facility=auth,host=web1,message=failed}}",
            "{alert_severity=error,alert_type=alert_blacklisted_country,alert_type_params={cli_blacklisted=true,cli_country=IT,srv_blacklisted=false,srv_country=US}}",
            "{alert_severity=info,alert_type=alert_flow_blocked,alert_type_params={}}",
            "{alert_severity=error,alert_type=alert_unexpected_dns,alert_type_params={srv_ip=1.2.3.4}}",
            "{alert_severity=notice,alert_type=alert_connection_issues,alert_type_params={cli2srv_pkts=10,client_issues=true,is_severe=false,server_issues=false,srv2cli_pkts=20,tcp_stats={cli2srv.retransmissions=3}},status_type=status_tcp_connection_issues}",
            "{alert_severity=notice,status_type=status_remote_to_remote}",
            "{alert_severity=notice,alert_type=alert_udp_unidirectional,alert_type_params={},status_type=status_udp_unidirectional}",
            "{alert_severity=notice,alert_type_params={pool=Not Assigned}}",
            "3600 1024 4096 alert_external_alert status_unexpected_dns",
            "TCP connection issues (client to server: 3 retransmitted of 100 packets)",
            "DNS query to a server that is not in the allowed DNS servers list",
            "Unidirectional UDP flow",
        ]
    );
}

#[test]
fn a_plugin_cannot_redefine_a_core_definition_and_user_keys_still_work() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let alert = |key: &str| {
        format!(
            "local alert_keys = require('alert_keys')\n\
             return {{ alert_key = {key}, i18n_title = 'Mine', icon = 'fas fa-bug' }}\n"
        )
    };
    write(
        p,
        "mine/alert_definitions/alert_flows_flood.lua",
        &alert("alert_keys.user.alert_user_01"),
    );
    write(
        p,
        "mine/alert_definitions/alert_my_flood.lua",
        &alert("alert_keys.ntopng.alert_flows_flood"),
    );
    write(
        p,
        "mine/alert_definitions/alert_my_own.lua",
        &alert("alert_keys.user.alert_user_02"),
    );
    write(
        p,
        "mine/alert_definitions/alert_my_pen.lua",
        &alert("{ 4242, 7 }"),
    );
    let status = |key: &str, name: &str| {
        format!(
            "local alert_consts = require('alert_consts')\n\
             local flow_keys = require('flow_keys')\n\
             return {{ status_key = {key}, alert_severity = alert_consts.alert_severities.warning,\n\
               alert_type = alert_consts.alert_types.{name}, i18n_title = 'Mine' }}\n"
        )
    };
    write(
        p,
        "mine/status_definitions/status_blacklisted.lua",
        &status("flow_keys.user.status_user_01", "alert_my_own"),
    );
    write(
        p,
        "mine/status_definitions/status_mine.lua",
        &status("flow_keys.ntopng.status_blacklisted", "alert_my_own"),
    );
    write(
        p,
        "mine/status_definitions/status_my_own.lua",
        &status("flow_keys.user.status_user_02", "alert_my_pen"),
    );
    let (_rt, report) = load(vec![p.to_path_buf()]);
    let errors: Vec<String> = report
        .problems
        .iter()
        .map(|e| format!("{}: {}", e.file, e.message))
        .collect();
    assert_eq!(errors.len(), 4, "{errors:#?}");
    for (file, core) in [
        (
            "alert_definitions/alert_flows_flood.lua",
            "alert_flows_flood",
        ),
        ("alert_definitions/alert_my_flood.lua", "alert_flows_flood"),
        (
            "status_definitions/status_blacklisted.lua",
            "status_blacklisted",
        ),
        ("status_definitions/status_mine.lua", "status_blacklisted"),
    ] {
        assert!(
            errors
                .iter()
                .any(|e| e.contains(file) && e.contains(core) && e.contains("core definition")),
            "{file}: {errors:#?}"
        );
    }
    let reg = _rt.registry();
    assert_eq!(
        reg.alert_by_name("alert_my_own").map(|a| a.key.0),
        Some(32769)
    );
    assert_eq!(
        reg.alert_by_name("alert_my_pen").map(|a| a.key.0),
        Some((4242 << 16) + 7)
    );
    assert_eq!(
        reg.status_by_name("status_my_own").map(|s| s.key.0),
        Some(60)
    );
    assert_eq!(
        reg.alert_by_name("alert_flows_flood").map(|a| a.key.0),
        Some(11)
    );
}

/// The 4.2 plugins in the shared folder reference only definitions weir has.
#[test]
fn ntopng_4_2_plugins_find_every_definition_they_name() {
    let dir = workspace().join("../shared/ntopng42-plugins");
    if !dir.is_dir() {
        eprintln!("SKIPPED: {} is absent (ntopng 4.2 plugins)", dir.display());
        return;
    }
    let (_rt, report) = load(vec![dir]);
    let nil_defs: Vec<String> = report
        .problems
        .iter()
        .map(|e| format!("{}: {}", e.file, e.message))
        .filter(|m| {
            m.contains("nil value (field 'alert_")
                || m.contains("nil value (field 'status_")
                || m.contains("no `alert_type`")
                || m.contains("core definition")
        })
        .collect();
    assert!(nil_defs.is_empty(), "{nil_defs:#?}");
}
