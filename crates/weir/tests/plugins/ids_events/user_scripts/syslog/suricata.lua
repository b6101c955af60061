-- Test plugin: every Suricata Eve "alert" event becomes a weir alert on its source host.
local alerts_api = require "alerts_api"
local alert_consts = require "alert_consts"
local json = require "dkjson"

local script = { hooks = {} }

function script.hooks.handleEvent(message)
   local event = json.decode(message)
   if event == nil or event.event_type ~= "alert" then
      return
   end
   local info = alert_consts.alert_types.alert_ids_event.create(
      alert_consts.alert_severities.warning,
      { signature = event.alert and event.alert.signature, src_ip = event.src_ip, dest_ip = event.dest_ip })
   alerts_api.store(alerts_api.hostAlertEntity(event.src_ip, 0), info)
end

return script
