-- weir reports each failing user script on its own (alert_internals, subtype
-- "user_script_error", at most once a minute per script). This system script adds
-- the overview: every minute it compares each script's failure counter with the
-- previous minute, and while some script failed in the minute, or was disabled
-- after failing too often, it keeps one alert engaged (alert_internals, subtype
-- "user_script_errors") listing them. interface.getUserScriptsStats() gives the
-- counters of every user script as of this tick.
local user_scripts = require("user_scripts")
local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")

local script = {
   category = user_scripts.script_categories.internals,
   default_enabled = true,
   -- Alert when more than `threshold` calls failed in the minute (or a script is disabled).
   default_value = { operator = "gt", threshold = 0 },
   hooks = {},
   gui = {
      i18n_title = "user_script_errors.title",
      i18n_description = "user_script_errors.description",
      input_builder = "threshold_cross",
      field_operator = "gt",
      field_min = 0,
   },
}

-- Failure counters at the previous run, by "subdir/script_key".
local previous = {}

function script.hooks.min(params)
   local failing, disabled, new_errors = {}, {}, 0
   for _, s in ipairs(interface.getUserScriptsStats()) do
      local id = s.subdir .. "/" .. s.script_key
      local delta = s.errors - (previous[id] or 0)
      previous[id] = s.errors
      if delta > 0 then
         new_errors = new_errors + delta
         failing[#failing + 1] = string.format("%s (%s: %d failed call(s), last: %s)", id, s.plugin, delta,
            s.last_error or "?")
      end
      if s.disabled then
         disabled[#disabled + 1] = id
      end
   end
   local threshold = params.user_script_config.threshold or 0
   local info = alert_consts.alert_types.alert_internals.create()
   info.alert_severity = alert_consts.alert_severities.warning
   info.alert_granularity = alert_consts.alerts_granularities[params.granularity]
   info.alert_subtype = "user_script_errors"
   info.alert_type_params = {
      what = string.format("%d user script call(s) failed in the last minute, %d script(s) disabled",
         new_errors, #disabled),
      errors = new_errors,
      failing = table.concat(failing, "; "),
      disabled = table.concat(disabled, ", "),
   }
   if new_errors > threshold or #disabled > 0 then
      alerts_api.trigger(params.alert_entity, info, nil, params.cur_alerts)
   else
      alerts_api.release(params.alert_entity, info, nil, params.cur_alerts)
   end
end

return script
