-- The message (`msg`) of an alert, from its definition (ntopng 4.2's shape):
-- `i18n_description` as a formatter function — `fn(ifid, alert, params)` for alert
-- types, `fn(info)` for flow statuses — or as an i18n key / literal text whose
-- %{name} are filled from the params. A status with neither uses its alert type's.
-- A status may be given by name. Returns the message (weir removes its HTML tags), or
-- nil and the translated title, from which weir writes a generic sentence.
local W = ...

local function i18n(key, vars)
  local lu = W.modules.lua_utils
  if type(lu) == "table" and type(lu.i18n) == "function" then
    local ok, s = pcall(lu.i18n, key, vars)
    if ok and type(s) == "string" then return s end
  end
  return nil
end

local function is_key(s)
  return s:find("^[%w_]+%.[%w_%.]+$") ~= nil
end

local function fill(tmpl, vars)
  vars = type(vars) == "table" and vars or {}
  return (tmpl:gsub("%%{([%w_%.]+)}", function(k)
    local v = vars[k]
    if v == nil or type(v) == "table" then return "?" end
    return tostring(v)
  end))
end

local function text_of(v, vars)
  if type(v) ~= "string" or v == "" then return nil end
  local t = i18n(v, vars)
  if t == nil and not is_key(v) then t = fill(v, vars) end
  if t ~= nil and t ~= "" then return t end
  return nil
end

local function title_of(def)
  local t = def.i18n_title
  if type(t) ~= "string" then return nil end
  return text_of(t, nil) or t
end

local function message(kind, def, ifid, alert, params)
  if kind == "status" and type(def) == "string" then
    local fc = W.modules.flow_consts
    def = type(fc) == "table" and type(fc.status_types) == "table" and fc.status_types[def] or nil
  end
  if type(def) ~= "table" then return nil, nil end
  local d = def.i18n_description
  local s
  if type(d) == "function" then
    local ok, r
    if kind == "alert" then ok, r = pcall(d, ifid, alert, params) else ok, r = pcall(d, params) end
    if ok and (type(r) == "string" or type(r) == "number") then s = tostring(r) end
  else
    s = text_of(d, params)
  end
  -- weir removes the HTML tags and entities and collapses the spaces (in Rust).
  if s ~= nil and s:find("%S") then return s end
  if kind == "status" and type(def.alert_type) == "table" then
    local m = message("alert", def.alert_type, ifid, alert, params)
    if m ~= nil then return m end
  end
  return nil, title_of(def)
end

-- Called from Rust with the alert's fields as arguments (one table built here
-- rather than a protected call per field set from Rust).
return function(kind, def, ifid, params, alert_type, subtype, severity, granularity, entity, entity_val, json)
  local alert = { alert_type = alert_type, alert_subtype = subtype, alert_severity = severity,
    alert_granularity = granularity, alert_entity = entity, alert_entity_val = entity_val,
    alert_json = json }
  return message(kind, def, ifid, alert, params)
end
