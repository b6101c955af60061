-- The alert raised by the suspicious_port status: a known protocol on a port that is
-- not its standard one (ntopng key 58).
local alert_keys = require("alert_keys")

-- @param severity an entry of alert_consts.alert_severities
-- @param info the status info built by the flow script (ports, peers, URL)
local function create(severity, info)
   return { alert_severity = severity, alert_type_params = info }
end

return {
   alert_key = alert_keys.ntopng.alert_known_proto_on_non_std_port,
   i18n_title = "suspicious_port.alert_title",
   i18n_description = "suspicious_port.status_description",
   icon = "fas fa-door-open",
   creator = create,
}
