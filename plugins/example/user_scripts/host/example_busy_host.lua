-- Host script: every minute, for each local host, the bytes it sent since the
-- previous minute; over the threshold the example alert is engaged on the host, and
-- released when the host calms down.
local user_scripts = require("user_scripts")
local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")

local script = {
   category = user_scripts.script_categories.network,
   default_enabled = false,
   local_only = true, -- only hosts inside the configured local networks
   default_value = { operator = "gt", threshold = 5000000 }, -- bytes per minute
   hooks = {},
   gui = {
      i18n_title = "example.host_title",
      i18n_description = "example.host_description",
      i18n_field_unit = user_scripts.field_units.bytes,
      input_builder = "threshold_cross",
      field_operator = "gt",
      field_min = 1,
   },
}

-- params: granularity, alert_entity (this host), entity_info ({ip, vlan}),
-- cur_alerts, user_script_config (this hook's conf), user_script, when, ifid.
function script.hooks.min(params)
   local sent = host.getBytes()["bytes.sent"]
   -- The increase since this host's previous `min` run (its first run: everything).
   local delta = alerts_api.host_delta_val("bytes_sent", params.granularity, sent)
   if delta < 0 then
      -- A host that went idle was freed and is counted afresh when it comes back.
      delta = sent
   end
   local threshold = params.user_script_config.threshold
   local info = alert_consts.alert_types.alert_example.create(
      alert_consts.alert_severities.warning,
      alert_consts.alerts_granularities[params.granularity],
      "busy_host", -- subtype: one engaged alert per host and subtype
      {
         what = string.format("host %s sent %d bytes in a minute (threshold %d)",
            params.entity_info.ip, delta, threshold),
         bytes = delta,
         threshold = threshold,
      })
   if delta > threshold then
      alerts_api.trigger(params.alert_entity, info, nil, params.cur_alerts)
   else
      -- Not needed for correctness (an alert not re-triggered is released after the
      -- hooks), but says what is meant.
      alerts_api.release(params.alert_entity, info, nil, params.cur_alerts)
   end
end

return script
