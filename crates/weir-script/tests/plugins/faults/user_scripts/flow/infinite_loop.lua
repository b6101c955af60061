-- Fault class: `while true do end`, also hidden behind pcall.
local script = { hooks = {}, gui = { i18n_title = "Loop", i18n_description = "Never returns" } }

function script.hooks.protocolDetected(now)
   while true do
      pcall(function() while true do end end)
   end
end

return script
