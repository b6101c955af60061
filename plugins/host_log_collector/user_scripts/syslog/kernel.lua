-- kernel (producer "kernel"): processes killed by the OOM killer and segmentation
-- faults, as alert_host_log on the host.
local user_scripts = require "user_scripts"
local host_log = require "host_log"

local script = {
   category = user_scripts.script_categories.system,
   default_enabled = true,
   default_value = {
      rules = {
         { name = "kernel_oom", severity = "error", threshold = 1, window = 60, entity = "host",
           fields = { "pid", "process" },
           patterns = { "[Oo]ut of memory: Kill%a* process (%d+) %(([^)]*)%)" } },
         { name = "kernel_segfault", severity = "notice", threshold = 1, window = 60, entity = "host",
           fields = { "process", "pid" },
           patterns = { "([%w%._%-]+)%[(%d+)%]: segfault at" } },
      },
   },
   gui = {
      i18n_title = "host_log_collector.kernel_title",
      i18n_description = "host_log_collector.kernel_description",
   },
   hooks = {},
}

function script.hooks.handleEvent(syslog_conf, message, host, priority)
   host_log.handle(script, syslog_conf, message, host)
end

return script
