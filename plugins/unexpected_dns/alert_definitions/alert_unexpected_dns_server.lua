-- The alert raised by status_unexpected_dns_server (ntopng key 63).
local alert_keys = require("alert_keys")

-- @param severity an entry of alert_consts.alert_severities
-- @param info the status info built by the flow script (client, server)
local function create(severity, info)
   return { alert_severity = severity, alert_type_params = info }
end

return {
   alert_key = alert_keys.ntopng.alert_unexpected_dns_server,
   i18n_title = "unexpected_dns.alert_title",
   i18n_description = "unexpected_dns.status_description",
   icon = "fas fa-server",
   creator = create,
}
