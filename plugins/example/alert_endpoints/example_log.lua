-- An alert endpoint: weir runs it in its own thread and VM and, for each recipient
-- configured for it (endpoint = "example_log" in [[alerts.endpoint_configs]]), calls
-- dequeueRecipientAlerts() with the alert notifications (engage, release, store, flow
-- alerts) queued as JSON for that recipient. This one writes each alert as one line
-- to weir's log at debug level (`--log-level weir_script=debug` shows them).
local json = require("dkjson")
local alert_consts = require("alert_consts")

local endpoint = {
   name = "Example log",
   conf_params = {}, -- what an endpoint configuration would ask for
   recipient_params = {},
   EXPORT_FREQUENCY = 1, -- seconds between deliveries
   prio = 0,
}

function endpoint.onLoad() end

function endpoint.isAvailable()
   return true
end

-- Pops up to `budget` notifications; says whether more are waiting.
function endpoint.dequeueRecipientAlerts(recipient, budget, high_priority)
   for _ = 1, budget do
      local text = ntop.recipient_dequeue(recipient.recipient_id, high_priority)
      if not text then
         return { success = true, more_available = false }
      end
      local n = json.decode(text)
      if n then
         -- Notifications carry the type's name; this VM knows only the definitions
         -- of its own plugin, so alertTypeRaw() is the fallback, not the rule.
         local name = n.alert_name or alert_consts.alertTypeRaw(n.alert_type) or tostring(n.alert_type)
         local about = n.alert_entity_val
         if n.cli_addr then -- a flow alert: name the flow
            about = string.format("%s:%s -> %s:%s", n.cli_addr, n.cli_port, n.srv_addr, n.srv_port)
         end
         traceError(TRACE_DEBUG, TRACE_CONSOLE, string.format("example endpoint: %s %s %s %s",
            tostring(n.action), name, tostring(alert_consts.alertSeverityRaw(n.alert_severity)),
            tostring(about)))
      end
   end
   return { success = true, more_available = true }
end

return endpoint
