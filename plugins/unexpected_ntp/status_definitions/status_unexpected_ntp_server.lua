-- Flow status 35: a local host uses a NTP server that is neither local nor allowed.
local alert_consts = require("alert_consts")
local flow_keys = require("flow_keys")

return {
   status_key = flow_keys.ntopng.status_unexpected_ntp_server,
   alert_severity = alert_consts.alert_severities.warning,
   alert_type = alert_consts.alert_types.alert_unexpected_ntp_server,
   i18n_title = "unexpected_ntp.status_title",
   i18n_description = "unexpected_ntp.status_description",
}
