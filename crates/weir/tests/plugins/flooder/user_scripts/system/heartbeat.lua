-- Disabled unless configured: a system script with a free-form configuration.
local script = {
  default_enabled = false,
  default_value = { message = "tick" },
  hooks = {},
  gui = { i18n_title = "Heartbeat", i18n_description = "Writes a line every minute" },
}

function script.hooks.min(params)
  io.write(params.user_script_config.message, " ", params.when, "\n")
end

return script
