local alert_keys = require "alert_keys"

return {
  alert_key = alert_keys.user.alert_user_02,
  i18n_title = "flooder.alert_title",
  icon = "fas fa-water",
  creator = function(severity, granularity, subtype, value, threshold)
    return {
      alert_severity = severity,
      alert_granularity = granularity,
      alert_subtype = subtype,
      alert_type_params = { value = value, threshold = threshold },
    }
  end,
}
