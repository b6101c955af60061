-- A host sending more SYNs per second (sustained for 3 seconds, the best run of the last minute) than the
-- threshold: the source of a SYN flood. Its half-open connections fill the victim's
-- backlog. A fast port scan sustaining more SYNs per second than the threshold shows
-- here too, besides the syn_scan plugin's report.
local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")
local user_scripts = require("user_scripts")

local script = {
   category = user_scripts.script_categories.security,
   default_value = "syn_flood_attacker;gt;100",
   hooks = {},
   -- weir: the hook only compares this value with the threshold, so weir calls it
   -- only when the value crosses it or the entity has an engaged alert.
   prefilter = { threshold = "hits.syn_flood_attacker" },
   gui = {
      i18n_title = "syn_flood.syn_flood_attacker_host_title",
      i18n_description = "syn_flood.syn_flood_attacker_host_description",
      i18n_field_unit = user_scripts.field_units.syn_sec,
      input_builder = "threshold_cross",
      field_operator = "gt",
      field_min = 1,
      field_max = 1000000,
   },
}

function script.hooks.min(params)
   local value = host.getSynFlood()["hits.syn_flood_attacker"] or 0
   alerts_api.checkThresholdAlert(params, alert_consts.alert_types.alert_tcp_syn_flood, value)
end

return script
