local alert_keys = require "alert_keys"

-- #######################################################

-- @brief Prepare an alert table used to generate the alert
-- @param alert_severity A severity as defined in `alert_consts.alert_severities`
-- @param tls_info A Lua table with HTTP info generated calling `flow.getHTTPInfo()`
-- @return A table with the alert built
local function createExeDownload(alert_severity, http_info)
   local built = {
      alert_severity = alert_severity,
      alert_type_params = http_info -- This info will go into the alert JSON
   }

   return built
end

-- #######################################################

return {
   alert_key = alert_keys.user.alert_user_01,
   -- equivalent
   -- alert_key = {0, alert_keys.user.alert_user_01},
   -- custom pens
   -- alert_key = {312 -- PEN -- , 513 --alert id --]]},
   i18n_title = "EXE download",
   icon = "fas fa-exclamation",
   creator = createExeDownload,
}
