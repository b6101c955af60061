-- A host sending TCP SYNs that no SYN-ACK answers: a port or host scanner (closed and filtered ports never answer with a SYN-ACK).
-- The engine counts, per host and minute, the SYNs sent (received) minus the
-- SYN-ACKs received (sent): ntopng's SYN scan hits, constant memory per host, read
-- with host.getSynScan(). The alert is engaged while the hits of the last minute
-- exceed the threshold and released in the first minute they do not.
local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")
local user_scripts = require("user_scripts")

local script = {
   category = user_scripts.script_categories.security,
   default_value = "syn_scan_attacker;gt;100",
   hooks = {},
   -- weir: the hook only compares this value with the threshold, so weir calls it
   -- only when the value crosses it or the entity has an engaged alert.
   prefilter = { threshold = "hits.syn_scan_attacker" },
   gui = {
      i18n_title = "syn_scan.syn_scan_attacker_title",
      i18n_description = "syn_scan.syn_scan_attacker_description",
      i18n_field_unit = user_scripts.field_units.syn_min,
      input_builder = "threshold_cross",
      field_operator = "gt",
      field_min = 1,
      field_max = 100000,
   },
}

function script.hooks.min(params)
   local value = host.getSynScan()["hits.syn_scan_attacker"] or 0
   alerts_api.checkThresholdAlert(params, alert_consts.alert_types.alert_tcp_syn_scan, value)
end

return script
