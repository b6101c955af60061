-- The host table has a fixed capacity (engine.max_hosts, interface.getStats()
-- stats.max_hosts). When it is full, every new host evicts the host that has been
-- idle (no flows) the longest, unless an alert is engaged on it: what weir knew
-- about the evicted hosts (counters, flood and scan history, cached values) is lost.
-- A flood from random sources fills the table in seconds. The engine reports the
-- table full (anomalies.too_many_hosts) when it is at capacity at the tick or hosts
-- were evicted since the previous minute. Each minute this script keeps
-- alert_internals (subtype "host_table_full") engaged while the table is full and
-- more hosts than the threshold were evicted in the minute.
local user_scripts = require("user_scripts")
local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")

local script = {
   category = user_scripts.script_categories.internals,
   default_enabled = true,
   default_value = { operator = "gt", threshold = 0 }, -- evicted hosts per minute
   hooks = {},
   gui = {
      i18n_title = "host_table_full.title",
      i18n_description = "host_table_full.description",
      i18n_field_unit = user_scripts.field_units.hosts,
      input_builder = "threshold_cross",
      field_operator = "gt",
      field_min = 0,
   },
}

function script.hooks.min(params)
   local stats = params.entity_info.stats
   local anomalies = params.entity_info.anomalies or {}
   local g = params.granularity
   local total = stats.num_evicted_hosts or 0
   local evicted = alerts_api.interface_delta_val("evicted_hosts", g, total)
   local threshold = params.user_script_config.threshold or 0
   local capacity = stats.max_hosts or 0
   local in_use = stats.active_hosts or 0
   local info = alert_consts.alert_types.alert_internals.create()
   info.alert_severity = alert_consts.alert_severities.error
   info.alert_granularity = alert_consts.alerts_granularities[g]
   info.alert_subtype = "host_table_full"
   info.alert_type_params = {
      what = string.format(
         "host table full (capacity %d): %d hosts evicted in the last minute, %d in use",
         capacity,
         evicted,
         in_use
      ),
      evicted_hosts = evicted,
      active_hosts = in_use,
      max_hosts = capacity,
      total_evicted_hosts = total,
      threshold = threshold,
   }
   if anomalies.too_many_hosts == true and evicted > threshold then
      alerts_api.trigger(params.alert_entity, info, nil, params.cur_alerts)
   else
      alerts_api.release(params.alert_entity, info, nil, params.cur_alerts)
   end
end

return script
