local alert_consts = require("alert_consts")
local status_keys = require "flow_keys"

return {
   status_key = status_keys.user.status_user_01,
   alert_severity = alert_consts.alert_severities.error,
   alert_type = alert_consts.alert_types.alert_exe_download,
   i18n_title = "EXE download",
   i18n_description = "Flow has downloaded an executable file",
}
