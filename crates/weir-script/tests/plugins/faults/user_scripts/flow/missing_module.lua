-- Fault class: `require` of a module that does not exist.
local script = { hooks = {}, gui = { i18n_title = "Require", i18n_description = "Needs a missing module" } }

function script.hooks.protocolDetected(now)
   local m = require("no_such_module")
   m.run()
end

return script
