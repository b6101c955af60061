-- The alert raised by the high_latency status. ntopng has no key for it: like the seed
-- tutorial's plugin, it takes a user key (the fifth, leaving the others to user plugins).
local alert_keys = require("alert_keys")

-- @param severity an entry of alert_consts.alert_severities
-- @param info the status info built by the flow script (peers, latency, threshold)
local function create(severity, info)
   return { alert_severity = severity, alert_type_params = info }
end

return {
   alert_key = alert_keys.user.alert_user_05,
   i18n_title = "high_latency.alert_title",
   i18n_description = "high_latency.status_description",
   icon = "fas fa-hourglass-half",
   creator = create,
}
