-- Flow status 7: a DNS query that is not well formed (characters not allowed in host
-- names, or no readable query at all on the DNS port). The engine sets the same bit
-- itself for invalid characters; this definition gives it its alert.
local alert_consts = require("alert_consts")
local flow_keys = require("flow_keys")

return {
   status_key = flow_keys.ntopng.status_dns_invalid_query,
   alert_severity = alert_consts.alert_severities.warning,
   alert_type = alert_consts.alert_types.alert_dns_issues,
   i18n_title = "dns_issues.invalid_title",
   i18n_description = "dns_issues.invalid_description",
}
