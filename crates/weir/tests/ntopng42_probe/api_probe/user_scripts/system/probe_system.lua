-- Requires every module and calls every `ntop` function and global ntopng 4.2's
-- plugins use (spec ntopng42-api.md §3, §3.2, §4.4).
local user_scripts = require("user_scripts")

local script = {
   category = user_scripts.script_categories.other,
   hooks = {},
   gui = { i18n_title = "API probe (system)", i18n_description = "Calls the 4.2 ntop API and modules" },
}

local done = false

function script.hooks.min(params)
   if done then return end
   done = true
   for _, m in ipairs({ "alert_utils", "plugins_utils", "flow_risk_utils", "storage_utils", "system_utils",
                        "callback_utils", "companion_interface_utils", "format_utils", "flow_utils",
                        "ts_utils", "ts_utils_core", "alert_consts", "flow_consts", "alerts_api", "dkjson",
                        "lua_utils", "user_scripts", "alert_keys", "flow_keys", "snmp_utils" }) do
      local ok, err = pcall(require, m)
      if not ok then io.write("MISSING module ", m, " ", tostring(err), "\n") end
   end
   for _, name in ipairs({ "getCache", "setCache", "delCache", "getPref", "setPref", "getHashCache",
                           "setHashCache", "delHashCache", "getHashAllCache", "getMembersCache",
                           "setMembersCache", "delMembersCache", "getDirs", "getInfo", "getHttpPrefix",
                           "gettimemsec", "isEnterpriseM", "isnEdge", "isWindows", "isShutdown",
                           "recipient_dequeue", "syslog", "getHostInformation", "sendMail", "httpGet",
                           "httpPost", "postHTTPJsonData", "popInternalAlerts", "getCacheStats",
                           "getCacheStatus", "readdir", "resolveHost", "pingHost", "collectPingResults",
                           "isPingAvailable", "msleep", "speedtest", "lpopCache" }) do
      if type(ntop[name]) ~= "function" then io.write("MISSING ntop.", name, "\n") end
   end
   for _, g in ipairs({ "i18n", "isEmptyString", "tprint", "traceError", "pairsByKeys", "pairsByValues",
                        "ternary", "split", "round", "noHtml", "isIPv4", "isIPv6", "getSystemInterfaceId",
                        "getSystemInterfaceName", "getInterfaceName", "getDeviceName",
                        "getFirstSeenDevicesHashKey", "swapKeysValues", "getDeviceProtocolPoliciesUrl",
                        "shortFlowLabel", "get_dns_type", "hostinfo2hostkey", "hostinfo2label",
                        "areAlertsEnabled" }) do
      if type(_G[g]) ~= "function" then io.write("MISSING global ", g, "\n") end
   end
   if type(string.split) ~= "function" then io.write("MISSING string.split\n") end
   if type(string.ends) ~= "function" then io.write("MISSING string.ends\n") end
   if type(table.len) ~= "function" then io.write("MISSING table.len\n") end
   if type(table.empty) ~= "function" then io.write("MISSING table.empty\n") end
   if type(getSystemInterfaceId) == "function" and getSystemInterfaceId() ~= "-1" then
      io.write("BADTYPE getSystemInterfaceId\n")
   end
   local ts_utils = require("ts_utils")
   for _, name in ipairs({ "newSchema", "append", "delete", "getDriverName", "getQueryDriver" }) do
      if type(ts_utils[name]) ~= "function" then io.write("MISSING ts_utils.", name, "\n") end
   end
   io.write("PROBED system\n")
end

return script
