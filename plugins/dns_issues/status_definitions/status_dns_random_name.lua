-- A random-looking domain name (domain generation algorithm). nDPI reports it as a
-- flow risk ("Suspicious DGA domain name"), so it takes ntopng's flow-risk status (31).
local alert_consts = require("alert_consts")
local flow_keys = require("flow_keys")

return {
   status_key = flow_keys.ntopng.status_flow_risk,
   alert_severity = alert_consts.alert_severities.warning,
   alert_type = alert_consts.alert_types.alert_dns_issues,
   i18n_title = "dns_issues.random_title",
   i18n_description = "dns_issues.random_description",
}
