-- Counts DNS queries (client to server packets) and answers (server to client
-- packets) of every DNS flow for its client host. The host script judges them.
local user_scripts = require("user_scripts")
local counters = require("request_reply_counters")

local script = {
   category = user_scripts.script_categories.network,
   default_enabled = true,
   l7_proto = "DNS",
   hooks = {},
   gui = {
      i18n_title = "request_reply_ratio.dns_flow_title",
      i18n_description = "request_reply_ratio.dns_flow_description",
   },
}

function script.hooks.flowEnd(now, conf)
   counters.add("dns", flow.getClientKey(), flow.getPacketsSent(), flow.getPacketsRcvd())
end

return script
