-- Fault class: a syntax error (line 5).
local script = { hooks = {}, gui = { i18n_title = "Syntax", i18n_description = "Broken" } }

function script.hooks.protocolDetected(now)
   local x = = 1
end

return script
