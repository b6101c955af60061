local user_scripts = require("user_scripts")
local flow_consts = require("flow_consts")

local script = {
   -- Script category
   category = user_scripts.script_categories.security,

   -- This module is disabled by default
   default_enabled = true,

   -- weir: only flows with HTTP fields can carry a URL (ntopng ignores this).
   prefilter = { meta = "http" },

   -- See below
   hooks = {},

   -- Allow user script configuration from the GUI
   gui = {
      i18n_title = "EXEs Download",
      i18n_description = "Detects .exe downloaded via HTTP",
   }
}

-- #################################################################

-- Defines an hook which is executed every time a procotol of a flow is detected
function script.hooks.protocolDetected(now)
   local http_info = flow.getHTTPInfo()

   -- if the flow is HTTP and it contains a last_url...
   if http_info and http_info["protos.http.last_url"] then
      -- if an .exe is found in the URL...
      if http_info["protos.http.last_url"]:match("%.exe") then
         flow.triggerStatus(
            flow_consts.status_types.status_exe_download.create(
               flow_consts.status_types.status_exe_download.alert_severity,
               http_info
            ),
            100 --[[ flow_score --]],
            100 --[[ cli_score ]],
            10 --[[ srv_score]])
      end
   end
end

-- #################################################################

return script
