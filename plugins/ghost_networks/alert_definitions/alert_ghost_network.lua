-- ntopng key 12. Raised on the interface, one alert per ghost network (subtype =
-- the network).
local alert_keys = require("alert_keys")

local function create(severity, granularity, network, params)
   return {
      alert_severity = severity,
      alert_granularity = granularity,
      alert_subtype = network,
      alert_type_params = params,
   }
end

return {
   alert_key = alert_keys.ntopng.alert_ghost_network,
   i18n_title = "ghost_networks.alert_title",
   i18n_description = "ghost_networks.alert_description",
   icon = "fas fa-ghost",
   creator = create,
}
