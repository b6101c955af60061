local alert_consts = require("alert_consts")
-- alert_flow_misbehaviour is defined by the elephant_flow plugin (alert definitions
-- of every plugin load before any status definition).
local flow_keys = require("flow_keys")

return {
   status_key = flow_keys.ntopng.status_longlived, -- 11
   alert_severity = alert_consts.alert_severities.notice,
   alert_type = alert_consts.alert_types.alert_flow_misbehaviour,
   i18n_title = "long_lived_flow.status_title",
   i18n_description = "long_lived_flow.status_description",
}
