-- The alert raised by status_unexpected_dhcp_server (ntopng key 65).
local alert_keys = require("alert_keys")

-- @param severity an entry of alert_consts.alert_severities
-- @param info the status info built by the flow script (server, allowed servers)
local function create(severity, info)
   return { alert_severity = severity, alert_type_params = info }
end

return {
   alert_key = alert_keys.ntopng.alert_unexpected_dhcp_server,
   i18n_title = "unexpected_dhcp.alert_title",
   i18n_description = "unexpected_dhcp.status_description",
   icon = "fas fa-network-wired",
   creator = create,
}
