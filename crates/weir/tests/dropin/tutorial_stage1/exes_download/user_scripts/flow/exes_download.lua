local user_scripts = require("user_scripts")

local script = {
   -- Script category
   category = user_scripts.script_categories.security,

   -- This module is disabled by default
   default_enabled = true,

   -- See below
   hooks = {},

   -- Allow user script configuration from the GUI
   gui = {
      i18n_title = "EXEs Download",
      i18n_description = "Detects .exe downloaded via HTTP",
   }
}

-- #################################################################

-- Defines an hook which is executed every time a protocol of a flow is detected
function script.hooks.protocolDetected(now)
   local http_info = flow.getHTTPInfo()

   -- if the flow is HTTP and it contains a last_url...
   if http_info and http_info["protos.http.last_url"] then
      -- if an .exe is found in the URL...
      if http_info["protos.http.last_url"]:match("%.exe") then
         -- Prepare a text line to be printed to the console
         local line = string.format("last_url: %s [%s]\n", http_info["protos.http.last_url"], shortFlowLabel(flow.getInfo()))

         -- Actually print the line to the consol
         io.write(line)
      end
   end
end

-- #################################################################

return script
