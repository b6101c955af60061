-- Flow status 32: DHCP answers from a host that is not an allowed DHCP server.
local alert_consts = require("alert_consts")
local flow_keys = require("flow_keys")

return {
   status_key = flow_keys.ntopng.status_unexpected_dhcp_server,
   alert_severity = alert_consts.alert_severities.error,
   alert_type = alert_consts.alert_types.alert_unexpected_dhcp_server,
   i18n_title = "unexpected_dhcp.status_title",
   i18n_description = "unexpected_dhcp.status_description",
}
