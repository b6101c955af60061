-- Writes one line per system minute: "s <when> <threshold>".
local script = {
  default_value = "every_minute;gt;5",
  hooks = {},
  gui = {
    i18n_title = "Every minute",
    i18n_description = "One line per minute of capture time",
    input_builder = "threshold_cross",
    field_min = 0,
    field_max = 100,
  },
}

function script.hooks.min(params)
  io.write("s ", params.when, " ", params.user_script_config.threshold, "\n")
end

return script
