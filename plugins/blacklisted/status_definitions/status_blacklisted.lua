-- Flow status 1: a peer is on a blocklist.
local alert_consts = require("alert_consts")
local flow_keys = require("flow_keys")

return {
   status_key = flow_keys.ntopng.status_blacklisted,
   alert_severity = alert_consts.alert_severities.error,
   alert_type = alert_consts.alert_types.alert_flow_blacklisted,
   i18n_title = "blacklisted.status_title",
   i18n_description = "blacklisted.status_description",
}
