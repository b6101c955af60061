-- ntopng's "flow misbehaviour" alert (key 10): a flow that is too large or lasts
-- too long. Used by this plugin's elephant statuses and by long_lived_flow.
local alert_keys = require("alert_keys")

local function create(severity, info)
   return { alert_severity = severity, alert_type_params = info }
end

return {
   alert_key = alert_keys.ntopng.alert_flow_misbehaviour,
   i18n_title = "elephant_flow.misbehaviour_title",
   icon = "fas fa-exclamation",
   creator = create,
}
