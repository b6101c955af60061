-- The flow matched a Suricata signature (set from the syslog script through
-- flow_utils.triggerStatusByTuple when weir tracks the flow).
local alert_consts = require "alert_consts"
local flow_keys = require "flow_keys"

return {
   status_key = flow_keys.ntopng.status_external_alert,
   alert_type = alert_consts.alert_types.alert_external_alert,
   alert_severity = alert_consts.alert_severities.error,
   i18n_title = "suricata_collector.status_external_title",
   i18n_description = "suricata_collector.status_external_description",
}
