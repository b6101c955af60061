-- Fault class: a runtime error on every call (line 6).
local script = { hooks = {}, gui = { i18n_title = "Runtime", i18n_description = "Indexes nil" } }

function script.hooks.protocolDetected(now)
   local t = nil
   return t.field
end

return script
