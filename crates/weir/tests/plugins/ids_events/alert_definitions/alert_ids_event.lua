local alert_keys = require "alert_keys"

local function createIdsEvent(alert_severity, event)
   return {
      alert_severity = alert_severity,
      alert_type_params = event,
   }
end

return {
   alert_key = alert_keys.user.alert_user_02,
   i18n_title = "IDS event",
   icon = "fas fa-shield-alt",
   creator = createIdsEvent,
}
