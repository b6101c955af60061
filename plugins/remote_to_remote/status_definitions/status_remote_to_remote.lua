-- Flow status 16: both peers are outside the local networks.
local alert_consts = require("alert_consts")
local flow_keys = require("flow_keys")

return {
   status_key = flow_keys.ntopng.status_remote_to_remote,
   alert_severity = alert_consts.alert_severities.notice,
   alert_type = alert_consts.alert_types.alert_remote_to_remote,
   i18n_title = "remote_to_remote.status_title",
   i18n_description = "remote_to_remote.status_description",
}
