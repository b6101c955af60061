-- The flow table has a fixed capacity (flows.max_flows, interface.getStats()
-- stats.max_flows). When it is full, every new flow evicts the least recently seen
-- one: evicted flows end early, their statuses and scores are cut short, and scans
-- or floods can push real traffic out. The engine reports the table full
-- (anomalies.too_many_flows) when it is at capacity or flows were evicted since the
-- previous minute. Each minute this script keeps alert_internals (a weir built-in,
-- subtype "flow_table_full") engaged while the table is full and either more flows
-- than the threshold were evicted in the minute or it is still at capacity (the
-- next new flow evicts one).
local user_scripts = require("user_scripts")
local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")

local script = {
   category = user_scripts.script_categories.internals,
   default_enabled = true,
   default_value = { operator = "gt", threshold = 0 }, -- evicted flows per minute
   hooks = {},
   gui = {
      i18n_title = "flow_table_full.title",
      i18n_description = "flow_table_full.description",
      i18n_field_unit = user_scripts.field_units.flows,
      input_builder = "threshold_cross",
      field_operator = "gt",
      field_min = 0,
   },
}

function script.hooks.min(params)
   local stats = params.entity_info.stats
   local anomalies = params.entity_info.anomalies or {}
   local g = params.granularity
   local evicted = alerts_api.interface_delta_val("evicted_flows", g, stats.num_evicted_flows or 0)
   local threshold = params.user_script_config.threshold or 0
   local capacity = stats.max_flows or 0
   local at_capacity = capacity > 0 and stats.flows >= capacity
   local full = anomalies.too_many_flows == true
   local info = alert_consts.alert_types.alert_internals.create()
   info.alert_severity = alert_consts.alert_severities.error
   info.alert_granularity = alert_consts.alerts_granularities[g]
   info.alert_subtype = "flow_table_full"
   info.alert_type_params = {
      what = string.format(
         "flow table full (capacity %d): %d flows evicted in the last minute, %d in use",
         capacity,
         evicted,
         stats.flows
      ),
      evicted_flows = evicted,
      active_flows = stats.flows,
      max_flows = capacity,
      total_evicted_flows = stats.num_evicted_flows,
      threshold = threshold,
   }
   if full and (evicted > threshold or at_capacity) then
      alerts_api.trigger(params.alert_entity, info, nil, params.cur_alerts)
   else
      alerts_api.release(params.alert_entity, info, nil, params.cur_alerts)
   end
end

return script
