-- Flow status 6: a query name long enough to carry data (DNS tunnelling).
local alert_consts = require("alert_consts")
local flow_keys = require("flow_keys")

return {
   status_key = flow_keys.ntopng.status_dns_data_exfiltration,
   alert_severity = alert_consts.alert_severities.error,
   alert_type = alert_consts.alert_types.alert_dns_issues,
   i18n_title = "dns_issues.exfiltration_title",
   i18n_description = "dns_issues.exfiltration_description",
}
