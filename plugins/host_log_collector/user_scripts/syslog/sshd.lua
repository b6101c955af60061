-- sshd (producer "sshd"): failed passwords and invalid users, counted per source
-- address; `threshold` matches from one source within `window` seconds raise
-- alert_host_log on that source. Rules: modules/host_log.lua.
local user_scripts = require "user_scripts"
local host_log = require "host_log"

local script = {
   category = user_scripts.script_categories.security,
   default_enabled = true,
   default_value = {
      rules = {
         { name = "ssh_auth_failure", severity = "warning", threshold = 5, window = 60, entity = "source",
           fields = { "user", "source" },
           -- (sshd also logs PAM's "authentication failure" for the same attempt: not
           -- counted twice.)
           patterns = { "Failed %S+ for invalid user (%S*) from ([%x%.:]+)",
                        "Failed %S+ for (%S+) from ([%x%.:]+)" } },
         { name = "ssh_invalid_user", severity = "warning", threshold = 5, window = 60, entity = "source",
           fields = { "user", "source" },
           patterns = { "Invalid user (%S*) from ([%x%.:]+)" } },
         { name = "ssh_max_auth_tries", severity = "warning", threshold = 1, window = 60, entity = "source",
           fields = { "user", "source" },
           patterns = { "maximum authentication attempts exceeded for invalid user (%S*) from ([%x%.:]+)",
                        "maximum authentication attempts exceeded for (%S+) from ([%x%.:]+)" } },
      },
   },
   gui = {
      i18n_title = "host_log_collector.sshd_title",
      i18n_description = "host_log_collector.sshd_description",
   },
   hooks = {},
}

function script.hooks.handleEvent(syslog_conf, message, host, priority)
   host_log.handle(script, syslog_conf, message, host)
end

return script
