-- Counts HTTP requests and responses of every HTTP flow for its client host: one
-- request when a request was parsed, one reply when its response status was seen.
local user_scripts = require("user_scripts")
local counters = require("request_reply_counters")

local script = {
   category = user_scripts.script_categories.network,
   default_enabled = true,
   l7_proto = "HTTP",
   hooks = {},
   gui = {
      i18n_title = "request_reply_ratio.http_flow_title",
      i18n_description = "request_reply_ratio.http_flow_description",
   },
}

function script.hooks.flowEnd(now, conf)
   local http = flow.getHTTPInfo()
   if not http["protos.http.last_method"] then
      return -- no request parsed
   end
   local replied = (http["protos.http.last_return_code"] or 0) > 0 and 1 or 0
   counters.add("http", flow.getClientKey(), 1, replied)
end

return script
