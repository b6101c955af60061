-- A host sending SYNs nobody answers with a SYN-ACK (a port scanner), with the
-- threshold helper of seed 002 and the built-in SYN scan alert.
local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")
local user_scripts = require("user_scripts")

local script = {
  category = user_scripts.script_categories.security,
  default_value = { operator = "gt", threshold = 500 },
  hooks = {},
  gui = {
    i18n_title = "SYN scan attacker",
    i18n_description = "Unanswered SYNs sent in a minute",
    i18n_field_unit = user_scripts.field_units.syn_min,
    input_builder = "threshold_cross",
    field_min = 1,
    field_max = 100000,
  },
}

function script.hooks.min(params)
  local value = host.getSynScan()["hits.syn_scan_attacker"] or 0
  alerts_api.checkThresholdAlert(params, alert_consts.alert_types.alert_tcp_syn_scan, value)
end

return script
