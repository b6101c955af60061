-- The alert of every DNS issue: the three flow statuses and the NXDOMAIN burst host
-- alert. ntopng files such findings as suspicious activity (key 45).
local alert_keys = require("alert_keys")

-- @param severity an entry of alert_consts.alert_severities
-- @param info what was found (peers, query, problem text, counts)
local function create(severity, info)
   return { alert_severity = severity, alert_type_params = info }
end

return {
   alert_key = alert_keys.ntopng.alert_suspicious_activity,
   i18n_title = "dns_issues.alert_title",
   i18n_description = "dns_issues.alert_description",
   icon = "fas fa-question-circle",
   creator = create,
}
