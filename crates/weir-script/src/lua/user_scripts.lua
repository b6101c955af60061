-- user_scripts: categories, units, operators, script types (spec lua-api.md §8).
local M = {}

M.script_categories = {
  other = { id = 0, icon = "fas fa-scroll", i18n_title = "user_scripts.category_other", i18n_descr = "user_scripts.category_other_descr" },
  security = { id = 1, icon = "fas fa-shield-alt", i18n_title = "user_scripts.category_security", i18n_descr = "user_scripts.category_security_descr" },
  internals = { id = 2, icon = "fas fa-wrench", i18n_title = "user_scripts.category_internals", i18n_descr = "user_scripts.category_internals_descr" },
  network = { id = 3, icon = "fas fa-network-wired", i18n_title = "user_scripts.category_network", i18n_descr = "user_scripts.category_network_descr" },
  system = { id = 4, icon = "fas fa-server", i18n_title = "user_scripts.category_system", i18n_descr = "user_scripts.category_system_descr" },
}

M.field_units = {}
for _, u in ipairs({ "seconds", "bytes", "flows", "packets", "mbits", "hosts", "syn_sec", "flow_sec", "percentage", "syn_min" }) do
  M.field_units[u] = "field_units." .. u
end

M.operator_functions = {
  gt = function(value, threshold) return value > threshold end,
  lt = function(value, threshold) return value < threshold end,
}

local periodic = { "min", "5mins", "hour", "day" }
M.script_types = {
  flow = { parent_dir = "interface", hooks = { "protocolDetected", "statusChanged", "flowEnd", "periodicUpdate" }, subdirs = { "flow" }, has_per_hook_config = false, default_config_only = true },
  traffic_element = { parent_dir = "interface", hooks = periodic, subdirs = { "interface", "network" }, has_per_hook_config = true },
  host = { parent_dir = "interface", hooks = periodic, subdirs = { "host" }, has_per_hook_config = true },
  snmp_device = { parent_dir = "system", hooks = { "snmpDevice", "snmpDeviceInterface" }, subdirs = { "snmp_device" }, has_per_hook_config = false },
  system = { parent_dir = "system", hooks = periodic, subdirs = { "system" }, has_per_hook_config = true, default_config_only = true },
  syslog = { parent_dir = "system", hooks = { "handleEvent" }, subdirs = { "syslog" }, has_per_hook_config = false, default_config_only = true },
}

M.DEFAULT_CONFIGSET_ID = 0

function M.getScriptType(subdir)
  for name, t in pairs(M.script_types) do
    for _, s in ipairs(t.subdirs) do if s == subdir then return t, name end end
  end
  return nil
end

return M
