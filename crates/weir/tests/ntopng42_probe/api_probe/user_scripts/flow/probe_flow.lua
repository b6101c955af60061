-- Calls every `flow` function ntopng 4.2's plugins call (spec ntopng42-api.md §4.3)
-- and prints `MISSING <name>` for each one weir lacks, `BADTYPE <name> <type>` for a
-- result of the wrong type.
local user_scripts = require("user_scripts")

local script = {
   category = user_scripts.script_categories.other,
   hooks = {},
   gui = { i18n_title = "API probe (flow)", i18n_description = "Calls the 4.2 flow API" },
}

local seen = false

local function check(name, want, ...)
   local f = flow[name]
   if type(f) ~= "function" then
      io.write("MISSING flow.", name, "\n")
      return
   end
   local r = f(...)
   if want ~= "any" and type(r) ~= want and not (want:find("|", 1, true) and want:find(type(r), 1, true)) then
      io.write("BADTYPE flow.", name, " ", type(r), "\n")
   end
end

function script.hooks.protocolDetected(now)
   if seen then return end
   seen = true
   check("getInfo", "table")
   check("isBlacklisted", "boolean")
   check("getBlacklistedInfo", "table")
   check("getClientCountry", "any")
   check("getServerCountry", "any")
   check("isDeviceProtocolNotAllowed", "boolean")
   check("getDeviceProtoAllowedInfo", "table")
   check("hasRisk", "boolean")
   check("hasRisk", "boolean", 4)
   check("getRiskInfo", "table")
   check("getHTTPInfo", "table|nil")
   check("isNotPurged", "boolean")
   check("isRemoteToRemote", "boolean")
   check("isUnicast", "boolean")
   check("isServerUnicast", "boolean")
   check("isClientNoIP", "boolean")
   check("getnDPIAppProtoId", "number")
   check("getnDPICategoryName", "string")
   check("getPacketsSent", "number")
   check("getPacketsRcvd", "number")
   check("getBytes", "number")
   check("getGoodputBytes", "number")
   check("getDuration", "number")
   check("getClientTCPIssues", "number")
   check("getServerTCPIssues", "number")
   check("getTCPStats", "table")
   check("getServerKey", "string")
   check("retrieveExternalAlertInfo", "any")
   if type(flow.triggerStatus) ~= "function" then io.write("MISSING flow.triggerStatus\n") end
   io.write("PROBED flow\n")
end

return script
