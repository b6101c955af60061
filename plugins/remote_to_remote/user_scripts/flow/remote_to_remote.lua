-- A monitor normally sits where local hosts meet the outside world, so every flow
-- it sees should have at least one local peer. A flow between two remote hosts
-- means that the capture point sees transit traffic (a mirror port on the wrong
-- side of the router, a routing mistake) or that a host relays traffic for others.
local user_scripts = require("user_scripts")
local flow_consts = require("flow_consts")

local script = {
   category = user_scripts.script_categories.network,
   default_enabled = true,
   -- Only flows between two remote hosts reach the hook.
   prefilter = { peers = "remote_to_remote" },
   hooks = {},
   gui = {
      i18n_title = "remote_to_remote.title",
      i18n_description = "remote_to_remote.description",
   },
}

-- Once per flow, as soon as its protocol is known.
function script.hooks.protocolDetected(now, conf)
   -- Broadcast and multicast have no "remote" receiver: not transit traffic.
   if not flow.isRemoteToRemote() or not flow.isUnicast() then
      return
   end
   local info = flow.getInfo()
   local status = flow_consts.status_types.status_remote_to_remote
   -- The core creator takes no params (or others): the plugin's own go in after.
   local created = status.create(status.alert_severity)
   created.alert_type_params = {
      cli_ip = info["cli.ip"],
      srv_ip = info["srv.ip"],
      srv_port = info["srv.port"],
      proto = info["proto.ndpi"],
   }
   flow.triggerStatus(created, 20 --[[ flow score ]], 10 --[[ client score ]], 10 --[[ server score ]])
end

return script
