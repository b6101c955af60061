-- Writes one line per host and minute: "h <ip>@<vlan> <when>".
local script = {
  hooks = {},
  gui = { i18n_title = "Every host", i18n_description = "One line per host visit" },
}

function script.hooks.min(params)
  local ip = host.getIp()
  io.write("h ", ip.ip, "@", ip.vlan, " ", params.when, "\n")
end

return script
