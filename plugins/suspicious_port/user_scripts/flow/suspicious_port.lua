-- Seed 002's first example: assign the status `suspicious_port` to HTTP flows whose
-- server port is not an expected HTTP port. The list of expected ports is the script's
-- configuration (`weir scripts set suspicious_port items 80,8080,8000`).
local user_scripts = require("user_scripts")
local flow_consts = require("flow_consts")

-- #################################################################

local script = {
   -- Only HTTP flows (master or application protocol) reach the hook.
   l7_proto = "HTTP",
   category = user_scripts.script_categories.security,
   default_enabled = true,
   default_value = {
      items = { "80", "8080" },
   },

   -- Only flows with nDPI's risk 5 (known protocol on a non-standard port: HTTP
   -- off port 80) reach the hook, which then spares the `items` ports.
   prefilter = { risks = { 5 } },
   hooks = {},

   gui = {
      i18n_title = "suspicious_port.title",
      i18n_description = "suspicious_port.description",
      input_builder = "items_list",
      item_list_type = "string",
      input_title = "suspicious_port.input_title",
      input_description = "suspicious_port.input_description",
   },
}

-- #################################################################

function script.setup()
   -- return false to disable the script
   return true
end

-- #################################################################

function script.hooks.protocolDetected(now, conf)
   local port = flow.getServerPort()
   local expected = conf.items or {}
   for _, p in ipairs(expected) do
      if tonumber(p) == port then
         return
      end
   end
   local info = flow.getInfo()
   local http = flow.getHTTPInfo()
   local status_info = {
      cli_ip = info["cli.ip"],
      srv_ip = info["srv.ip"],
      srv_port = port,
      expected = table.concat(expected, ", "),
      url = http["protos.http.last_url"],
   }
   -- flow.triggerStatus(flow_status_type, status_info, flow_score, cli_score, srv_score)
   flow.triggerStatus(flow_consts.status_types.status_known_proto_on_non_std_port, status_info, 50, 20, 30)
end

-- #################################################################

return(script)
