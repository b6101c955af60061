-- The alert raised by status_web_mining_detected (ntopng key 55).
local alert_keys = require("alert_keys")

-- @param severity an entry of alert_consts.alert_severities
-- @param info the status info built by the flow script (peers, reason, matched name)
local function create(severity, info)
   return { alert_severity = severity, alert_type_params = info }
end

return {
   alert_key = alert_keys.ntopng.alert_web_mining,
   i18n_title = "web_mining.alert_title",
   i18n_description = "web_mining.alert_description",
   icon = "fab fa-bitcoin",
   creator = create,
}
