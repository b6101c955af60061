-- Calls every `interface` function ntopng 4.2's plugins call (spec ntopng42-api.md
-- §4.1) and checks the 4.2 definitions (§1, §2) are there.
local user_scripts = require("user_scripts")
local alert_consts = require("alert_consts")
local flow_consts = require("flow_consts")

local script = {
   category = user_scripts.script_categories.other,
   hooks = {},
   gui = { i18n_title = "API probe (interface)", i18n_description = "Calls the 4.2 interface API" },
}

local done = false

local ALERTS = { "blacklisted_country", "broadcast_domain_too_large", "device_connection",
   "device_disconnection", "device_protocol_not_allowed", "dropped_alerts", "external_alert",
   "flow_blacklisted", "flow_blocked", "flow_misbehaviour", "flows_flood", "ghost_network",
   "host_pool_connection", "host_pool_disconnection", "influxdb_error", "influxdb_export_failure",
   "internals", "ip_outsite_dhcp_range", "list_download_failed", "login_failed",
   "mac_ip_association_change", "malicious_signature", "misconfigured_app", "new_device",
   "nfq_flushed", "none", "periodic_activity_not_executed", "am_threshold_cross",
   "port_duplexstatus_change", "port_errors", "port_load_threshold_exceeded", "port_mac_changed",
   "port_status_change", "potentially_dangerous_protocol", "process_notification", "quota_exceeded",
   "remote_to_remote", "request_reply_ratio", "slow_periodic_activity", "slow_purge",
   "snmp_device_reset", "snmp_topology_changed", "suspicious_activity", "tcp_syn_flood",
   "tcp_syn_scan", "threshold_cross", "too_many_drops", "udp_unidirectional", "user_activity",
   "user_script_calls_drops", "web_mining", "connection_issues", "suspicious_file_transfer",
   "known_proto_on_non_std_port", "host_log", "attack_mitigation_via_snmp", "iec104_error",
   "flow_risk", "unexpected_dns", "unexpected_smtp", "unexpected_dhcp", "unexpected_ntp",
   "lateral_movement", "list_download_succeeded" }

local STATUSES = { "normal", "blacklisted", "blacklisted_country", "blocked", "data_exfiltration",
   "device_protocol_not_allowed", "dns_data_exfiltration", "dns_invalid_query",
   "elephant_local_to_remote", "elephant_remote_to_local", "external_alert", "longlived",
   "low_goodput", "malicious_signature", "not_purged", "potentially_dangerous", "remote_to_remote",
   "suspicious_tcp_probing", "suspicious_tcp_syn_probing", "tcp_connection_issues",
   "tcp_connection_refused", "tcp_severe_connection_issues", "tls_certificate_expired",
   "tls_certificate_mismatch", "tls_old_protocol_version", "tls_unsafe_ciphers",
   "udp_unidirectional", "web_mining_detected", "tls_certificate_selfsigned",
   "suspicious_file_transfer", "known_proto_on_non_std_port", "flow_risk", "unexpected_dhcp",
   "unexpected_dns", "unexpected_smtp", "unexpected_ntp" }

function script.hooks.min(params)
   if done then return end
   done = true
   for _, name in ipairs({ "getId", "select", "getIfNames", "checkDroppedAlerts", "getHashTablesStats",
                           "getPeriodicActivitiesStats", "getnDPIProtoId", "getnDPICategoryId",
                           "incSyslogStats", "processFlow", "storeAlert", "storeFlowAlert",
                           "getStats", "getEngagedAlerts", "getnDPIProtoName" }) do
      if type(interface[name]) ~= "function" then io.write("MISSING interface.", name, "\n") end
   end
   if type(interface.getIfNames) == "function" and type(interface.getIfNames()) ~= "table" then
      io.write("BADTYPE interface.getIfNames\n")
   end
   if type(interface.getHashTablesStats) == "function" then
      local h = interface.getHashTablesStats()
      if type(h) ~= "table" or type(h.FlowHash) ~= "table" or type(h.FlowHash.hash_entry_states) ~= "table" then
         io.write("BADTYPE interface.getHashTablesStats\n")
      end
   end
   if type(interface.getnDPICategoryId) == "function" and interface.getnDPICategoryId("NoSuchCategory") ~= -1 then
      io.write("BADTYPE interface.getnDPICategoryId\n")
   end
   for _, a in ipairs(ALERTS) do
      local def = alert_consts.alert_types["alert_" .. a]
      if type(def) ~= "table" or type(def.create) ~= "function" or type(def.alert_key) ~= "number" then
         io.write("MISSING alert_consts.alert_types.alert_", a, "\n")
      end
   end
   for _, s in ipairs(STATUSES) do
      local def = flow_consts.status_types["status_" .. s]
      if type(def) ~= "table" or type(def.create) ~= "function" or type(def.status_key) ~= "number" then
         io.write("MISSING flow_consts.status_types.status_", s, "\n")
      end
   end
   if alert_consts.alert_types.alert_unexpected_dns and alert_consts.alert_types.alert_unexpected_dns.alert_key ~= 63 then
      io.write("BADTYPE alert_unexpected_dns key\n")
   end
   if flow_consts.status_types.status_unexpected_dns and flow_consts.status_types.status_unexpected_dns.status_key ~= 33 then
      io.write("BADTYPE status_unexpected_dns key\n")
   end
   io.write("PROBED interface\n")
end

return script
