-- Fault class: a table that grows without bound.
local script = { hooks = {}, gui = { i18n_title = "Growth", i18n_description = "Eats memory" } }

function script.hooks.protocolDetected(now)
   local t = {}
   local i = 0
   while true do
      i = i + 1
      t[i] = string.rep("x", 1024 * 1024) .. i
   end
end

return script
