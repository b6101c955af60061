-- Status `high_latency` (seed 002's example): an RDP flow with a network latency above
-- the threshold. ntopng has no built-in key for it: user key 63 (status_user_05).
local alert_consts = require("alert_consts")
local flow_keys = require("flow_keys")

return {
   status_key = flow_keys.user.status_user_05,
   alert_severity = alert_consts.alert_severities.notice,
   alert_type = alert_consts.alert_types.alert_rdp_high_latency,
   i18n_title = "high_latency.status_title",
   i18n_description = "high_latency.status_description",
}
