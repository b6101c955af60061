-- System script: runs once per granularity for the whole monitor (no entity). Every
-- 5 minutes it writes one summary line to weir's output.
local user_scripts = require("user_scripts")

local script = {
   category = user_scripts.script_categories.system,
   default_enabled = false,
   hooks = {},
   gui = {
      i18n_title = "example.system_title",
      i18n_description = "example.system_description",
   },
}

script.hooks["5mins"] = function(params)
   local s = interface.getStats() -- counters of the latest interface tick
   io.write(string.format("example: %s at %s: %d packets, %d bytes, %d active flows\n",
      s.name, formatEpoch(params.when), s.stats.packets, s.stats.bytes, s.stats.flows))
end

return script
