-- su (producer "su"): failed attempts to switch user, as alert_host_log on the host.
local user_scripts = require "user_scripts"
local host_log = require "host_log"

local script = {
   category = user_scripts.script_categories.security,
   default_enabled = true,
   default_value = {
      rules = {
         { name = "su_failure", severity = "warning", threshold = 1, window = 60, entity = "host",
           fields = { "target_user", "user" },
           patterns = { "FAILED SU %(to (%S+)%) (%S+)",
                        "pam_unix%(su%-?l?:auth%): authentication failure;.*ruser=(%S*)" } },
      },
   },
   gui = {
      i18n_title = "host_log_collector.su_title",
      i18n_description = "host_log_collector.su_description",
   },
   hooks = {},
}

function script.hooks.handleEvent(syslog_conf, message, host, priority)
   host_log.handle(script, syslog_conf, message, host)
end

return script
