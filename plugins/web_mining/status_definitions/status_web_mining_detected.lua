-- Flow status 27: a host talks to a mining pool.
local alert_consts = require("alert_consts")
local flow_keys = require("flow_keys")

return {
   status_key = flow_keys.ntopng.status_web_mining_detected,
   alert_severity = alert_consts.alert_severities.error,
   alert_type = alert_consts.alert_types.alert_web_mining,
   i18n_title = "web_mining.status_title",
   i18n_description = "web_mining.status_description",
}
