-- Network half of the flooder example: the same alert for a local network receiving
-- more packets per second (minute average) than the threshold.
local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")
local user_scripts = require("user_scripts")

local last = {}

local script = {
  category = user_scripts.script_categories.network,
  default_value = "network_flooder;gt;100",
  hooks = {},
  gui = {
    i18n_title = "Network flooder",
    i18n_description = "Packets per second in a local network",
    input_builder = "threshold_cross",
    field_min = 1,
    field_max = 10000000,
  },
}

function script.hooks.min(params)
  local st = network.getNetworkStats()
  local prev = last[st.network_key] or 0
  last[st.network_key] = st.packets
  local value = (st.packets - prev) // 60
  local conf = params.user_script_config
  local info = alert_consts.alert_types.alert_flooder.create(
    alert_consts.alert_severities.warning, alert_consts.alerts_granularities.min,
    "network_flooder", value, conf.threshold)
  if value > conf.threshold then
    alerts_api.trigger(params.alert_entity, info, nil, params.cur_alerts)
  else
    alerts_api.release(params.alert_entity, info, nil, params.cur_alerts)
  end
end

return script
