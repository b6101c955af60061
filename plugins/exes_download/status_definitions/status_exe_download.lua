local alert_consts = require("alert_consts")
local status_keys = require "flow_keys"

return {
   status_key = status_keys.user.status_user_01,
   alert_severity = alert_consts.alert_severities.error,
   alert_type = alert_consts.alert_types.alert_exe_download,
   i18n_title = "EXE download",
   -- A formatter: the message of the flow alert (the alert type's, with the URL).
   i18n_description = function(info)
      return alert_consts.alert_types.alert_exe_download.i18n_description(nil, nil, info)
   end,
}
