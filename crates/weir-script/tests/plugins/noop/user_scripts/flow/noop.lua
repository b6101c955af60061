-- A hook that does nothing: measures the cost of entering Lua (benches).
local script = {
   hooks = {},
   gui = { i18n_title = "No-op", i18n_description = "Does nothing" },
}

function script.hooks.protocolDetected(now)
end

return script
