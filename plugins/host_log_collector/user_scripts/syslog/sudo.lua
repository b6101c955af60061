-- sudo (producer "sudo"): authentication failures, wrong password attempts and the
-- commands run, as alert_host_log on the host that logged them.
local user_scripts = require "user_scripts"
local host_log = require "host_log"

local script = {
   category = user_scripts.script_categories.security,
   default_enabled = true,
   default_value = {
      rules = {
         { name = "sudo_auth_failure", severity = "warning", threshold = 3, window = 300, entity = "host",
           fields = { "user" },
           patterns = { "pam_unix%(sudo:auth%): authentication failure;.*ruser=(%S*)" } },
         { name = "sudo_wrong_password", severity = "warning", threshold = 1, window = 60, entity = "host",
           fields = { "user", "attempts" },
           patterns = { "^%s*(%S+) : (%d+) incorrect password attempts?" } },
         { name = "sudo_not_allowed", severity = "error", threshold = 1, window = 60, entity = "host",
           fields = { "user" },
           patterns = { "^%s*(%S+) : user NOT in sudoers", "^%s*(%S+) : command not allowed" } },
         { name = "sudo_command", severity = "info", threshold = 1, window = 60, entity = "host",
           fields = { "user", "target_user", "command" },
           patterns = { "^%s*(%S+) : .-USER=(%S+) ; COMMAND=(.*)$" } },
      },
   },
   gui = {
      i18n_title = "host_log_collector.sudo_title",
      i18n_description = "host_log_collector.sudo_description",
   },
   hooks = {},
}

function script.hooks.handleEvent(syslog_conf, message, host, priority)
   host_log.handle(script, syslog_conf, message, host)
end

return script
