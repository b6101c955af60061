-- Packets the capture could not keep up with (kernel or queue drops of a live
-- capture; for a pcapng file, the drops its Interface Statistics Blocks report) are
-- traffic no script saw: past a few percent, every count and alert of the interface
-- is incomplete. Each minute this script compares the packets dropped in the minute
-- with the packets seen plus dropped, and keeps alert_too_many_drops (a weir
-- built-in, key 50) engaged while the share is over the threshold.
local user_scripts = require("user_scripts")
local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")

local script = {
   category = user_scripts.script_categories.internals,
   default_enabled = true,
   default_value = { operator = "gt", threshold = 5 }, -- percent
   hooks = {},
   gui = {
      i18n_title = "too_many_drops.title",
      i18n_description = "too_many_drops.description",
      i18n_field_unit = user_scripts.field_units.percentage,
      input_builder = "threshold_cross",
      field_operator = "gt",
      field_min = 1,
      field_max = 100,
   },
}

function script.hooks.min(params)
   local stats = params.entity_info.stats
   local g = params.granularity
   -- Increases since the previous minute (skip_first: the first minute only sets
   -- the reference).
   local drops = alerts_api.interface_delta_val("drops", g, stats.drops, true)
   local packets = alerts_api.interface_delta_val("packets", g, stats.packets, true)
   local total = drops + packets
   local pct = total > 0 and 100 * drops / total or 0
   local threshold = params.user_script_config.threshold or 5
   local def = alert_consts.alert_types.alert_too_many_drops
   local info = def.create()
   info.alert_severity = alert_consts.alert_severities.error
   info.alert_granularity = alert_consts.alerts_granularities[g]
   info.alert_type_params = {
      drops = drops,
      packets = packets,
      perc = math.floor(pct * 10 + 0.5) / 10,
      threshold = threshold,
   }
   if pct > threshold then
      alerts_api.trigger(params.alert_entity, info, nil, params.cur_alerts)
   else
      alerts_api.release(params.alert_entity, info, nil, params.cur_alerts)
   end
end

return script
