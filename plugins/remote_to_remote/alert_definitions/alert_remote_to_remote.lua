-- The alert raised by status_remote_to_remote (ntopng key 39).
local alert_keys = require("alert_keys")

-- info: what the flow script passes to status_types.status_remote_to_remote.create()
local function create(severity, info)
   return { alert_severity = severity, alert_type_params = info }
end

return {
   alert_key = alert_keys.ntopng.alert_remote_to_remote,
   i18n_title = "remote_to_remote.alert_title",
   i18n_description = "remote_to_remote.alert_description",
   icon = "fas fa-exchange-alt",
   creator = create,
}
