-- A flow status: a bit in the flow's status bitmap (status_user_03 = bit 61). When a
-- flow script *triggers* it, the flow alert is of type alert_example.
local alert_consts = require("alert_consts")
local flow_keys = require("flow_keys")

return {
   status_key = flow_keys.user.status_user_03,
   alert_severity = alert_consts.alert_severities.notice,
   alert_type = alert_consts.alert_types.alert_example,
   i18n_title = "example.status_title",
   i18n_description = "example.status_description",
}
