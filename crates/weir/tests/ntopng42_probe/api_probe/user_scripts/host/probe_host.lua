-- Calls every `host` and `alerts_api` function ntopng 4.2's plugins call (spec
-- ntopng42-api.md §3.1, §4.2).
local user_scripts = require("user_scripts")
local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")

local script = {
   category = user_scripts.script_categories.other,
   hooks = {},
   gui = { i18n_title = "API probe (host)", i18n_description = "Calls the 4.2 host API" },
}

local done = false

function script.hooks.min(params)
   if done then return end
   done = true
   for _, name in ipairs({ "getBytes", "getPackets", "getTime", "getNumFlows", "getDNSInfo",
                           "getHTTPInfo", "getSynFlood", "getFlowFlood", "getSynScan", "getIp" }) do
      if type(host[name]) ~= "function" then
         io.write("MISSING host.", name, "\n")
      elseif type(host[name]()) ~= "table" then
         io.write("BADTYPE host.", name, "\n")
      end
   end
   for _, name in ipairs({ "getApplicationBytes", "getCategoryBytes" }) do
      if type(host[name]) ~= "function" then
         io.write("MISSING host.", name, "\n")
      elseif type(host[name](7)) ~= "number" then
         io.write("BADTYPE host.", name, "\n")
      end
   end
   for _, name in ipairs({ "trigger", "release", "store", "releaseEntityAlerts", "checkThresholdAlert",
                           "anomaly_check_function", "host_delta_val", "interface_delta_val",
                           "network_delta_val", "application_bytes", "category_bytes",
                           "hostAlertEntity", "interfaceAlertEntity", "networkAlertEntity",
                           "snmpDeviceEntity", "snmpInterfaceEntity", "macEntity", "userEntity",
                           "processEntity", "hostPoolEntity", "periodicActivityEntity",
                           "amThresholdCrossEntity", "categoryListsEntity", "influxdbEntity",
                           "iec104Entity", "remoteToRemoteType", "invokeScriptHook" }) do
      if type(alerts_api[name]) ~= "function" then io.write("MISSING alerts_api.", name, "\n") end
   end
   local e = alerts_api.hostAlertEntity("192.168.1.1", 0)
   if not (e and e.alert_entity and e.alert_entity_val == "192.168.1.1@0") then
      io.write("BADTYPE alerts_api.hostAlertEntity\n")
   end
   io.write("PROBED host\n")
end

return script
