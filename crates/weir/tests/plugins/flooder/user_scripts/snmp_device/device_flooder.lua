-- Accepted and listed, not run: weir has no SNMP source yet.
local script = {
  hooks = {},
  gui = { i18n_title = "SNMP device flooder", i18n_description = "Not run without an SNMP source" },
}

function script.hooks.snmpDevice(device_ip, info, hook_conf) end

return script
