local alert_consts = require("alert_consts")
local flow_keys = require("flow_keys")

return {
   status_key = flow_keys.ntopng.status_elephant_local_to_remote, -- 8
   alert_severity = alert_consts.alert_severities.warning,
   alert_type = alert_consts.alert_types.alert_flow_misbehaviour,
   i18n_title = "elephant_flow.l2r_title",
   i18n_description = "elephant_flow.l2r_description",
}
