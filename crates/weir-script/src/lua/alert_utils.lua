-- alert_utils: ntopng 4.2's helpers for alert notifications (the text endpoints send,
-- their order), the device hash keys and the host-pool checks.
local W = ...
local M = {}

local function consts() return W.modules.alert_consts end

-- A notification field that may be a number or a name.
local function severity_id(v)
  if type(v) == "string" and not tonumber(v) then
    local s = consts().alert_severities[v]
    return s and s.severity_id
  end
  return tonumber(v)
end
local function entity_name(v)
  if type(v) == "string" and not tonumber(v) then return v end
  return consts().alertEntityRaw(v)
end

--- `[Engaged]` / `[Released]` for an engage / release notification, "" otherwise;
--- with `emoji`, a sign before it.
function M.alertNotificationActionToLabel(action, emoji)
  local label
  if action == "engage" then
    label = "[Engaged]"
    if emoji then label = "\u{1F534} " .. label end
  elseif action == "release" then
    label = "[Released]"
    if emoji then label = "\u{2705} " .. label end
  else
    return ""
  end
  return label
end

local function decode(text)
  if type(text) == "table" then return text end
  if type(text) ~= "string" or text == "" then return {} end
  local v = W.modules.dkjson.decode(text)
  return type(v) == "table" and v or {}
end

-- The definition of an alert type id or name.
local function alert_def(t)
  local ac = consts()
  local name = (type(t) == "string" and not tonumber(t)) and t or ac.alertTypeRaw(t)
  return name and ac.alert_types[name]
end

-- The flow status definition with that id.
local function status_def(id)
  local fc = W.modules.flow_consts
  id = tonumber(id)
  if not (fc and fc.status_types and id) then return nil end
  for _, def in pairs(fc.status_types) do
    if type(def) == "table" and tonumber(def.status_key or def.status_id) == id then return def end
  end
  return nil
end

local function params_text(params)
  local keys = {}
  for k, v in pairs(params) do
    if type(v) ~= "table" and k ~= "alert_generation" then keys[#keys + 1] = tostring(k) end
  end
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = k .. "=" .. tostring(params[k]) end
  return table.concat(parts, ", ")
end

--- The message of an alert: its definition's `format(ifid, alert, params)` (for a
--- flow alert, the status's with `status_info`), else the alert's parameters as text.
function M.formatAlertMessage(ifid, alert)
  local params = decode(alert.alert_json)
  local def
  if alert.is_flow_alert or tonumber(alert.alert_entity) == 4 or alert.alert_entity == "flow" then
    local sdef = status_def(alert.flow_status)
    local info = decode(params.status_info)
    if sdef and type(sdef.format) == "function" then
      local ok, msg = pcall(sdef.format, ifid, alert, info)
      if ok and msg ~= nil then return tostring(msg) end
    end
    local flow = string.format("%s:%s -> %s:%s", tostring(alert.cli_addr or ""), tostring(alert.cli_port or ""),
      tostring(alert.srv_addr or ""), tostring(alert.srv_port or ""))
    local extra = params_text(info)
    return extra ~= "" and (flow .. " " .. extra) or flow
  end
  def = alert_def(alert.alert_type)
  if def and type(def.format) == "function" then
    local ok, msg = pcall(def.format, ifid, alert, params)
    if ok and msg ~= nil then return tostring(msg) end
  end
  return params_text(params)
end

--- The text of a notification (ntopng 4.2): `[date] [Interface: name] [severity]
--- [type]`, then `[entity][value]` with `show_entity`, then `[Engaged]`/`[Released]`
--- and the message. Options: `nohtml` (strip tags), `show_severity` (default true),
--- `emoji`, `nodate`, `no_bracket_around_date`, `show_entity`, `add_cr` (newline
--- before the message).
function M.formatAlertNotification(notif, options)
  local o = { nohtml = false, show_severity = true, emoji = false, nodate = false,
    no_bracket_around_date = false, show_entity = false, add_cr = false }
  for k, v in pairs(type(options) == "table" and options or {}) do o[k] = v end
  if type(notif) ~= "table" then return "" end
  local ac = consts()

  local parts = {}
  if not o.nodate then
    local when = formatEpoch(tonumber(notif.alert_tstamp_end) or tonumber(notif.alert_tstamp) or 0)
    if not o.no_bracket_around_date then when = "[" .. when .. "]" end
    parts[#parts + 1] = when
  end
  if notif.ifid ~= nil and tostring(notif.ifid) ~= "-1" then
    parts[#parts + 1] = "[Interface: " .. getInterfaceName(notif.ifid) .. "]"
  end
  if o.show_severity ~= false then
    parts[#parts + 1] = "[" .. ac.alertSeverityLabel(severity_id(notif.alert_severity), o.nohtml, o.emoji) .. "]"
  end
  local def = alert_def(notif.alert_type)
  local title = def and (i18n(def.i18n_title) or def.i18n_title) or tostring(notif.alert_type)
  parts[#parts + 1] = "[" .. tostring(title) .. "]"
  local msg = table.concat(parts, " ")

  if o.show_entity then
    local ename = entity_name(notif.alert_entity)
    msg = msg .. " [" .. tostring(ename or notif.alert_entity) .. "]"
    if ename ~= "flow" then
      local v = notif.alert_entity_val
      if ename == "host" and v ~= nil then v = hostinfo2hostkey(hostkey2hostinfo(v)) end
      msg = msg .. "[" .. tostring(v or "") .. "]"
    end
  end

  local action = M.alertNotificationActionToLabel(notif.action, o.emoji)
  msg = msg .. " " .. action .. (action ~= "" and " " or "")
  if o.add_cr then msg = msg .. "\n" end
  msg = msg .. (M.formatAlertMessage(notif.ifid, notif) or "")
  if o.nohtml then msg = noHtml(msg):gsub("&nbsp;", " ") end
  return msg
end

--- Sort order of notifications, newest first (`pairsByValues(t, notification_timestamp_rev)`).
function M.notification_timestamp_rev(a, b)
  return (tonumber(a.alert_tstamp) or 0) > (tonumber(b.alert_tstamp) or 0)
end

--- `ntopng.cache.active_devices.ifid_<ifid>`: the set of devices seen active.
function M.getActiveDevicesHashKey(ifid) return "ntopng.cache.active_devices.ifid_" .. tostring(ifid) end

--- Host pool connection, disconnection and quota alerts. weir has no host pools (no
--- pool has members, traffic or quotas), so there is nothing to alert on.
function M.check_host_pools_alerts(ifid, alert_pool_connection_enabled, alerts_on_quota_exceeded)
end

--- Engaged alerts (`what` = "engaged") of `options.entity`/`options.entity_val`, as
--- far as this VM sees them (pages: the alert store); 0 for other kinds here.
function M.getNumAlerts(what, options)
  options = type(options) == "table" and options or {}
  if what ~= "engaged" or not interface then return 0 end
  local list
  if interface.getEngagedAlerts then
    list = interface.getEngagedAlerts(options.entity, options.entity_val)
  elseif interface.getAlerts then
    list = interface.getAlerts("engaged")
  end
  local n = 0
  for _, a in pairs(type(list) == "table" and list or {}) do
    if type(a) == "table"
      and (options.entity == nil or a.alert_entity == nil or tonumber(a.alert_entity) == tonumber(options.entity))
      and (options.entity_val == nil or a.alert_entity_val == nil or a.alert_entity_val == options.entity_val) then
      n = n + 1
    end
  end
  return n
end

local function esc(v)
  return (tostring(v):gsub("[&<>\"']", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;" }))
end

--- In a custom page, prints the engaged and past alerts of the alert store as two
--- HTML tables (newest first, at most 100 each): date, severity, alert type, entity,
--- description. Outside pages there is no alert store to read: nothing is printed.
function M.drawAlerts(options)
  if not (interface and interface.getAlerts) then return end
  local ac = consts()
  local out = {}
  for _, kind in ipairs({ "engaged", "past" }) do
    out[#out + 1] = '<h4 class="alerts-title">' .. (kind == "engaged" and "Engaged alerts" or "Past alerts") .. "</h4>"
      .. '<table class="table alerts-table"><thead><tr><th>Date</th><th>Severity</th><th>Alert</th>'
      .. "<th>Entity</th><th>Description</th></tr></thead><tbody>"
    local n = 0
    for _, a in ipairs(interface.getAlerts(kind, { limit = 100 }) or {}) do
      if type(a) == "table" then
        n = n + 1
        local def = alert_def(a.alert_type)
        local title = def and (i18n(def.i18n_title) or def.i18n_title) or a.alert_type_name or a.alert_type
        local sev = a.alert_severity_name or ac.alertSeverityRaw(severity_id(a.alert_severity)) or a.alert_severity
        local ent = entity_name(a.alert_entity) or a.alert_entity or ""
        out[#out + 1] = "<tr><td>" .. esc(formatEpoch(tonumber(a.alert_tstamp) or 0)) .. "</td><td>" .. esc(sev or "")
          .. "</td><td>" .. esc(title or "") .. "</td><td>" .. esc(ent) .. " " .. esc(a.alert_entity_val or "")
          .. "</td><td>" .. esc(noHtml(M.formatAlertMessage(a.ifid, a) or "")) .. "</td></tr>"
      end
    end
    if n == 0 then out[#out + 1] = '<tr><td colspan="5">No alerts</td></tr>' end
    out[#out + 1] = "</tbody></table>"
  end
  print(table.concat(out))
end

return M
