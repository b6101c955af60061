-- Network script: the same alert type as the host script, on a local network:
-- bytes leaving the network (egress) in a minute.
local user_scripts = require("user_scripts")
local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")

local script = {
   category = user_scripts.script_categories.network,
   default_enabled = false,
   default_value = { operator = "gt", threshold = 20000000 }, -- bytes per minute
   hooks = {},
   gui = {
      i18n_title = "example.network_title",
      i18n_description = "example.network_description",
      i18n_field_unit = user_scripts.field_units.bytes,
      input_builder = "threshold_cross",
      field_operator = "gt",
      field_min = 1,
   },
}

-- entity_info is network.getNetworkStats(): network_key (the CIDR), ingress,
-- egress, inner (bytes since start), num_hosts, ...
function script.hooks.min(params)
   local stats = params.entity_info
   local delta = alerts_api.network_delta_val("egress", params.granularity, stats.egress)
   local threshold = params.user_script_config.threshold
   local info = alert_consts.alert_types.alert_example.create(
      alert_consts.alert_severities.warning,
      alert_consts.alerts_granularities[params.granularity],
      "busy_network",
      {
         what = string.format("network %s sent %d bytes out in a minute (threshold %d)",
            stats.network_key, delta, threshold),
         bytes = delta,
         threshold = threshold,
      })
   if delta > threshold then
      alerts_api.trigger(params.alert_entity, info, nil, params.cur_alerts)
   else
      alerts_api.release(params.alert_entity, info, nil, params.cur_alerts)
   end
end

return script
