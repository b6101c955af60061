-- Fault class: wrong argument types to the API (logged, nil returned, counted).
local script = { hooks = {}, gui = { i18n_title = "Args", i18n_description = "Misuses the API" } }

function script.hooks.protocolDetected(now)
   flow.setStatus("not a status", {}, "x")
end

return script
