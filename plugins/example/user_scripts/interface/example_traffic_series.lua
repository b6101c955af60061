-- Interface script: writes the interface's byte and packet counters every minute
-- to the example:traffic timeseries (defined in ts_schemas/min.lua), which the
-- custom page charts.
local user_scripts = require("user_scripts")
local ts_utils = require("ts_utils")

local script = {
   category = user_scripts.script_categories.network,
   default_enabled = false,
   hooks = {},
   gui = {
      i18n_title = "example.interface_title",
      i18n_description = "example.interface_description",
   },
}

-- entity_info is interface.getStats(): stats.bytes, stats.packets, stats.flows, ...
function script.hooks.min(params)
   if not params.ts_enabled then
      return -- timeseries are off (weir run --timeseries off): write nothing
   end
   local stats = params.entity_info.stats
   -- Counter metrics take the running totals; charts show them as rates.
   ts_utils.append("example:traffic", {
      ifid = params.ifid,
      bytes = stats.bytes,
      packets = stats.packets,
   }, params.when)
end

return script
