-- Suricata saw an executable file in the flow.
local alert_consts = require "alert_consts"
local flow_keys = require "flow_keys"

return {
   status_key = flow_keys.ntopng.status_suspicious_file_transfer,
   alert_type = alert_consts.alert_types.alert_suspicious_file_transfer,
   alert_severity = alert_consts.alert_severities.warning,
   i18n_title = "suricata_collector.file_title",
   i18n_description = "suricata_collector.file_description",
}
