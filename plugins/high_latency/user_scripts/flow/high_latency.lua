-- Seed 002's second example: assign the status `high_latency` to Remote Desktop flows
-- with a network latency above 250 ms (configurable). The latency is the round trip of
-- the TCP handshake: the client half (ACK after SYN-ACK) plus the server half (SYN-ACK
-- after SYN), as `flow.getFullInfo()` gives them in milliseconds.
local user_scripts = require("user_scripts")
local flow_consts = require("flow_consts")

-- #################################################################

local script = {
   l4_proto = "tcp",
   l7_proto = "RDP",
   category = user_scripts.script_categories.network,
   default_enabled = true,
   default_value = {
      operator = "gt",
      threshold = 250,
   },

   hooks = {},

   gui = {
      i18n_title = "high_latency.title",
      i18n_description = "high_latency.description",
      i18n_field_unit = "high_latency.unit",
      input_builder = "threshold_cross",
      field_operator = "gt",
      field_min = 1,
      field_max = 60000,
   },
}

-- #################################################################

function script.setup()
   -- return false to disable the script
   return true
end

-- #################################################################

function script.hooks.protocolDetected(now, conf)
   local full = flow.getFullInfo()
   local cli = full["tcp.nw_latency.client"] or 0
   local srv = full["tcp.nw_latency.server"] or 0
   local latency = cli + srv
   local threshold = tonumber(conf.threshold) or 250
   -- 0: the handshake was not seen (the capture started mid-connection).
   if latency <= 0 or latency <= threshold then
      return
   end
   local status_info = {
      cli_ip = full["cli.ip"],
      srv_ip = full["srv.ip"],
      srv_port = full["srv.port"],
      latency_ms = math.floor(latency + 0.5),
      threshold = threshold,
   }
   -- flow.triggerStatus(flow_status_type, status_info, flow_score, cli_score, srv_score)
   flow.triggerStatus(flow_consts.status_types.high_latency, status_info, 30, 10, 10)
end

-- #################################################################

return(script)
