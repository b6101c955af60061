-- A host log line (or N of them within a window) that matched a host_log_collector
-- rule. The subtype is the rule name (ssh_auth_failure, sudo_command, kernel_oom, ...).
local alert_keys = require "alert_keys"

-- @param subtype the rule name (ntopng's alert_host_log takes the subtype first)
-- @param alert_severity a severity of alert_consts.alert_severities
-- @param params rule, count, window, source, user, host, message, ...
local function createHostLog(subtype, alert_severity, params)
   return {
      alert_subtype = subtype,
      alert_severity = alert_severity,
      alert_type_params = params,
   }
end

return {
   alert_key = alert_keys.ntopng.alert_host_log,
   i18n_title = "host_log_collector.alert_title",
   i18n_description = "host_log_collector.alert_description",
   icon = "fas fa-file-alt",
   creator = createHostLog,
}
