-- The alert raised by status_unexpected_ntp_server (ntopng key 66).
local alert_keys = require("alert_keys")

-- @param severity an entry of alert_consts.alert_severities
-- @param info the status info built by the flow script (client, server)
local function create(severity, info)
   return { alert_severity = severity, alert_type_params = info }
end

return {
   alert_key = alert_keys.ntopng.alert_unexpected_ntp_server,
   i18n_title = "unexpected_ntp.alert_title",
   i18n_description = "unexpected_ntp.status_description",
   icon = "fas fa-clock",
   creator = create,
}
