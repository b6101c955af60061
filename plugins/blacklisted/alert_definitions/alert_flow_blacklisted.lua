-- The alert raised by status_blacklisted (ntopng key 8).
local alert_keys = require("alert_keys")

-- @param severity an entry of alert_consts.alert_severities
-- @param info the status info built by the flow script (peers, list, matching entry)
local function create(severity, info)
   return { alert_severity = severity, alert_type_params = info }
end

return {
   alert_key = alert_keys.ntopng.alert_flow_blacklisted,
   i18n_title = "blacklisted.alert_title",
   i18n_description = "blacklisted.alert_description",
   icon = "fas fa-ban",
   creator = create,
}
