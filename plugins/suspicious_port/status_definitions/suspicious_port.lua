-- Status `suspicious_port` (seed 002's example): HTTP on a server port that is not an
-- expected HTTP port. Uses ntopng's key for a known protocol on a non-standard port (30).
local alert_consts = require("alert_consts")
local flow_keys = require("flow_keys")

return {
   status_key = flow_keys.ntopng.status_known_proto_on_non_std_port,
   alert_severity = alert_consts.alert_severities.warning,
   alert_type = alert_consts.alert_types.alert_known_proto_on_non_std_port,
   i18n_title = "suspicious_port.status_title",
   i18n_description = "suspicious_port.status_description",
}
