-- Host half of the seed's flooder example: the flooder alert for a local host that
-- receives a SYN flood. The threshold comes from the configuration (default 50/s).
local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")
local user_scripts = require("user_scripts")

local script = {
  category = user_scripts.script_categories.security,
  local_only = true,
  default_value = "syn_flood_victim;gt;50",
  hooks = {},
  gui = {
    i18n_title = "flooder.host_title",
    i18n_description = "flooder.host_description",
    i18n_field_unit = user_scripts.field_units.syn_sec,
    input_builder = "threshold_cross",
    field_min = 1,
    field_max = 65535,
    field_operator = "gt",
  },
}

function script.hooks.min(params)
  local value = host.getSynFlood()["hits.syn_flood_victim"] or 0
  local threshold = params.user_script_config.threshold
  local info = alert_consts.alert_types.alert_flooder.create(
    alert_consts.alert_severities.error, alert_consts.alerts_granularities[params.granularity],
    "host_syn_flood_victim", value, threshold)
  if value > threshold then
    alerts_api.trigger(params.alert_entity, info, nil, params.cur_alerts)
  else
    alerts_api.release(params.alert_entity, info, nil, params.cur_alerts)
  end
end

return script
