-- One alert type, used by two user scripts (host/example_busy_host.lua and
-- network/example_busy_network.lua) and by the status of the flow script. The file
-- name is the type's name: alert_consts.alert_types.alert_example.
local alert_keys = require("alert_keys")

-- `create(severity, granularity, subtype, params)` returns the type_info that
-- alerts_api.trigger/release/store want; the loader adds `alert_type` to it.
-- The status definition's create() calls it too, with granularity and subtype nil.
local function create(severity, granularity, subtype, params)
   return {
      alert_severity = severity,
      alert_granularity = granularity,
      alert_subtype = subtype,
      alert_type_params = params,
   }
end

return {
   -- A {PEN, id} pair. PEN 0 with a user key: alert_user_01..05 are for plugins
   -- outside weir (exes_download uses 01). Copying this plugin? Pick a key no other
   -- plugin you load uses.
   alert_key = alert_keys.user.alert_user_03,
   i18n_title = "example.alert_title", -- looked up in locales/, else shown as is
   i18n_description = "example.alert_description", -- %{what} comes from the params
   icon = "fas fa-lightbulb",
   creator = create,
}
