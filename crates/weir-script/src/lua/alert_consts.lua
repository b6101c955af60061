-- alert_consts: severities, granularities, entities and the alert types weir loaded
-- (built-in and plugin definitions; spec lua-api.md §6).
local W = ...
local M = {}

M.alert_severities = {}
local sev = { { "debug", 1, 7, "🐞" }, { "info", 2, 6, "ℹ️" }, { "notice", 3, 5, "📝" }, { "warning", 4, 4, "⚠️" },
  { "error", 5, 3, "❗" }, { "critical", 6, 2, "🚨" }, { "alert", 7, 1, "🔔" }, { "emergency", 8, 0, "🆘" } }
for _, s in ipairs(sev) do
  M.alert_severities[s[1]] = { severity_id = s[2], syslog_severity = s[3], label = "badge-" .. s[1],
    icon = "fas fa-exclamation", i18n_title = "alerts_dashboard." .. s[1], emoji = s[4] }
end
M.severity_groups = {
  group_none = { severity_group_id = 0 }, none = { severity_group_id = 0 }, notice_or_lower = { severity_group_id = 1 },
  warning = { severity_group_id = 2 }, error_or_higher = { severity_group_id = 3 },
}

M.alerts_granularities = {
  min = { granularity_id = 1, granularity_seconds = 60, i18n_title = "show_alerts.minute", i18n_description = "alerts_thresholds_config.every_minute" },
  ["5mins"] = { granularity_id = 2, granularity_seconds = 300, i18n_title = "show_alerts.5_min", i18n_description = "alerts_thresholds_config.every_5_minutes" },
  hour = { granularity_id = 3, granularity_seconds = 3600, i18n_title = "show_alerts.hourly", i18n_description = "alerts_thresholds_config.hourly" },
  day = { granularity_id = 4, granularity_seconds = 86400, i18n_title = "show_alerts.daily", i18n_description = "alerts_thresholds_config.daily" },
}

M.alert_entities = {}
local ent = { "interface", "host", "network", "snmp_device", "flow", "mac", "host_pool", "process", "user",
  "influx_db", "test", "category_lists", "am_host", "periodic_activity" }
for i, e in ipairs(ent) do M.alert_entities[e] = { entity_id = i - 1, label = e, pools = nil } end

M.ids_rule_maker = { GPL = "GPL", SURICATA = "Suricata", ET = "Emerging Threats" }

M.MAX_NUM_QUEUED_ALERTS_PER_MODULE = 1024
M.MAX_NUM_QUEUED_ALERTS_PER_RECIPIENT = 4096

-- Filled by weir: definition file name -> definition (alert_key is the parsed
-- integer key): the core definitions (ntopng 4.2's) and those of plugins.
M.alert_types = {}

-- The file key of an alert type id (`alertTypeRaw(63)` = "alert_unexpected_dns").
function M.alertTypeRaw(key)
  key = tonumber(key)
  if key == nil then return nil end
  for name, def in pairs(M.alert_types) do if def.alert_key == key then return name end end
  return nil
end
M.getAlertType = M.alertTypeRaw
function M.alertType(name) local d = M.alert_types[name]; return d and d.alert_key end
function M.alertTypeIcon(key)
  local name = M.alertTypeRaw(key)
  local d = name and M.alert_types[name]
  return d and d.icon or "fas fa-exclamation"
end
function M.alertTypeDescription(key)
  local name = M.alertTypeRaw(key)
  local d = name and M.alert_types[name]
  return d and d.i18n_description
end
function M.alertTypeLabel(key, nohtml)
  local name = M.alertTypeRaw(key)
  local d = name and M.alert_types[name]
  if not d then return tostring(key) end
  return i18n(d.i18n_title) or d.i18n_title
end

function M.alertSeverityRaw(id)
  id = tonumber(id)
  for name, s in pairs(M.alert_severities) do if s.severity_id == id then return name end end
  return nil
end
function M.alertSeverity(name) local s = M.alert_severities[name]; return s and s.severity_id end
function M.alertSeverityById(id)
  local name = M.alertSeverityRaw(id)
  if not name then error("unknown severity id " .. tostring(id), 2) end
  return M.alert_severities[name]
end
function M.alertSeverityLabel(id, nohtml, emoji)
  local name = M.alertSeverityRaw(id) or "unknown"
  if emoji then return M.alert_severities[name].emoji .. " " .. name end
  return name
end
function M.alertLevelToSyslogLevel(name) local s = M.alert_severities[name]; return s and s.syslog_severity end

function M.alertEntityRaw(id)
  id = tonumber(id)
  for name, e in pairs(M.alert_entities) do if e.entity_id == id then return name end end
  return nil
end
function M.alertEntity(name) local e = M.alert_entities[name]; return e and e.entity_id end
function M.alertEntityById(id) local n = M.alertEntityRaw(id); return n and M.alert_entities[n] end
function M.alertEntityLabel(id) return M.alertEntityRaw(id) end
function M.formatAlertEntity(ifid, entity_name, entity_value) return tostring(entity_name) .. " " .. tostring(entity_value) end

function M.granularity2id(name) local g = M.alerts_granularities[name]; return g and g.granularity_id or 0 end
M.alertEngine = M.granularity2id
function M.granularity2sec(name) local g = M.alerts_granularities[name]; return g and g.granularity_seconds or 0 end
function M.sec2granularity(s)
  s = tonumber(s)
  for name, g in pairs(M.alerts_granularities) do if g.granularity_seconds == s then return name end end
  return nil
end
function M.alertEngineLabel(id)
  for name, g in pairs(M.alerts_granularities) do if g.granularity_id == tonumber(id) then return name end end
  return ""
end

-- Pre-4.2 globals.
alertTypeRaw, alertSeverityRaw, alertEntityRaw = M.alertTypeRaw, M.alertSeverityRaw, M.alertEntityRaw
sec2granularity, granularity2id = M.sec2granularity, M.granularity2id

return M
