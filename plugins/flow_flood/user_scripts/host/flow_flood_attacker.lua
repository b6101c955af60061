-- A host opening more flows per second (sustained for 3 seconds, the best run of the last minute) than the
-- threshold as a client: a flooder, a worm, or a scanner in a hurry.
local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")
local user_scripts = require("user_scripts")

local script = {
   category = user_scripts.script_categories.security,
   default_value = "flow_flood_attacker;gt;100",
   hooks = {},
   -- weir: the hook only compares this value with the threshold, so weir calls it
   -- only when the value crosses it or the entity has an engaged alert.
   prefilter = { threshold = "hits.flow_flood_attacker" },
   gui = {
      i18n_title = "flow_flood.flow_flood_attacker_host_title",
      i18n_description = "flow_flood.flow_flood_attacker_host_description",
      i18n_field_unit = user_scripts.field_units.flow_sec,
      input_builder = "threshold_cross",
      field_operator = "gt",
      field_min = 1,
      field_max = 1000000,
   },
}

function script.hooks.min(params)
   local value = host.getFlowFlood()["hits.flow_flood_attacker"] or 0
   alerts_api.checkThresholdAlert(params, alert_consts.alert_types.alert_flows_flood, value)
end

return script
