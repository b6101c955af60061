-- alerts_api: entities, trigger/release/store, legacy type builders (spec lua-api.md §5, §13).
local W = ...
local alert_consts = W.modules.alert_consts
local M = {}

local function entity(name, value)
  return { alert_entity = alert_consts.alert_entities[name], alert_entity_val = tostring(value) }
end

function M.hostAlertEntity(ip, vlan) return entity("host", tostring(ip) .. "@" .. tostring(tonumber(vlan) or 0)) end
function M.interfaceAlertEntity(ifid) return entity("interface", ifid) end
function M.networkAlertEntity(cidr) return entity("network", cidr) end
function M.snmpDeviceEntity(ip) return entity("snmp_device", ip) end
function M.snmpInterfaceEntity(ip, idx) return entity("snmp_device", tostring(ip) .. "_ifidx" .. tostring(idx)) end
function M.macEntity(mac) return entity("mac", mac) end
function M.userEntity(user) return entity("user", user) end
function M.processEntity(p) return entity("process", p) end
function M.hostPoolEntity(id) return entity("host_pool", id) end
function M.periodicActivityEntity(p) return entity("periodic_activity", p) end
function M.amThresholdCrossEntity(h) return entity("am_host", h) end
function M.pingedHostEntity(h) return entity("am_host", h) end
function M.categoryListsEntity(l) return entity("category_lists", l) end
function M.influxdbEntity(u) return entity("influx_db", u) end
function M.iec104Entity(v) return entity("flow", v) end

-- 4.2: the type_info of a remote-to-remote host alert (sqlite endpoint, internal
-- alerts): severity warning, params {host = <label>, mac}.
function M.remoteToRemoteType(host_info, mac)
  local label = host_info
  if type(host_info) == "table" then
    label = host_info.host or host_info.ip or ""
    if host_info.vlan and tonumber(host_info.vlan) and tonumber(host_info.vlan) ~= 0 then
      label = label .. "@" .. tostring(host_info.vlan)
    end
  end
  return {
    alert_type = alert_consts.alert_types.alert_remote_to_remote,
    alert_severity = alert_consts.alert_severities.warning,
    alert_type_params = { host = tostring(label or ""), mac = mac },
  }
end

-- cur_alerts (plugins.md §6.6): engaged alerts of the entity at this granularity;
-- trigger/release remove their entry, weir releases what is left after the hooks.
local function granularity_secs(g)
  if type(g) == "table" then return g.granularity_seconds or 0 end
  if type(g) == "string" then local x = alert_consts.alerts_granularities[g]; return x and x.granularity_seconds or 0 end
  return 0
end
local function take_cur(cur_alerts, type_info)
  if type(cur_alerts) ~= "table" or type(type_info) ~= "table" or type(type_info.alert_type) ~= "table" then return false end
  local key, sub, gran = type_info.alert_type.alert_key, type_info.alert_subtype or "", granularity_secs(type_info.alert_granularity)
  for i = #cur_alerts, 1, -1 do
    local a = cur_alerts[i]
    if a.alert_type == key and (a.alert_subtype or "") == sub and a.alert_granularity == gran then
      table.remove(cur_alerts, i)
      return true
    end
  end
  return false
end
function M.trigger(entity_info, type_info, when, cur_alerts)
  local found = take_cur(cur_alerts, type_info)
  local ok = W.alert("trigger", entity_info, type_info, when)
  if cur_alerts ~= nil then return found end
  return ok
end
function M.release(entity_info, type_info, when, cur_alerts)
  local found = take_cur(cur_alerts, type_info)
  if cur_alerts ~= nil and not found then return true end
  return W.alert("release", entity_info, type_info, when)
end
function M.store(entity_info, type_info, when) return W.alert("store", entity_info, type_info, when) end

-- Releases the alerts of an entity: `alerts` (rows as interface.getEngagedAlerts
-- returns them), default every alert engaged on it now.
local function by_field(tbl, field, value)
  for _, v in pairs(tbl) do
    if type(v) == "table" and v[field] == value then return v end
  end
  return nil
end
function M.releaseEntityAlerts(entity_info, alerts)
  if type(entity_info) ~= "table" or type(entity_info.alert_entity) ~= "table" then
    error("releaseEntityAlerts: entity_info expected", 2)
  end
  if alerts == nil then
    alerts = interface.getEngagedAlerts(entity_info.alert_entity.entity_id, entity_info.alert_entity_val) or {}
  end
  for _, a in ipairs(alerts) do
    local def = a.alert_type
    if type(def) ~= "table" then def = { alert_key = def } end
    local gran = a.alert_granularity
    if type(gran) ~= "table" then gran = by_field(alert_consts.alerts_granularities, "granularity_seconds", gran) end
    local sev = a.alert_severity
    if type(sev) ~= "table" then sev = by_field(alert_consts.alert_severities, "severity_id", sev) end
    W.alert("release", entity_info, {
      alert_type = def, alert_subtype = a.alert_subtype, alert_granularity = gran, alert_severity = sev,
    })
  end
end

function M.getAlertId(alert)
  return string.format("%s_%s_%s_%s_%s", tostring(alert.alert_type), tostring(alert.alert_subtype or ""),
    tostring(alert.alert_granularity or 0), tostring(alert.alert_entity), tostring(alert.alert_entity_val))
end

-- ntopng 4.2 records the script and configuration set here for `alert_generation`;
-- weir knows the running script of every hook call.
function M.invokeScriptHook(script, confset_id, hook, ...)
  if type(hook) ~= "function" then return nil end
  return hook(...)
end

function M.addAlertGenerationInfo(json, script, confset_id)
  json.alert_generation = { script_key = script and script.key, subdir = script and script.subdir, confset_id = confset_id or 0 }
end

local function threshold_type(name, granularity, metric, value, operator, threshold, subtype)
  local def = alert_consts.alert_types[name]
  if type(granularity) == "table" then
    for n, g in pairs(alert_consts.alerts_granularities) do if g == granularity then granularity = n end end
  end
  return {
    alert_type = def, alert_severity = alert_consts.alert_severities.error,
    alert_granularity = alert_consts.alerts_granularities[granularity],
    alert_subtype = subtype,
    alert_type_params = { metric = metric, value = value, operator = operator, threshold = threshold },
  }
end
function M.thresholdCrossType(granularity, metric, value, operator, threshold)
  return threshold_type("alert_threshold_cross", granularity, metric, value, operator, threshold, granularity .. "_" .. tostring(metric))
end
function M.synFloodType(g, metric, value, operator, threshold) return threshold_type("alert_tcp_syn_flood", g, metric, value, operator, threshold, metric) end
function M.synScanType(g, metric, value, operator, threshold) return threshold_type("alert_tcp_syn_scan", g, metric, value, operator, threshold, metric) end
function M.flowFloodType(g, metric, value, operator, threshold) return threshold_type("alert_flows_flood", g, metric, value, operator, threshold, metric) end

-- Seed 002: hook functions for threshold and anomaly scripts.
function M.threshold_check_function(params)
  local us = params.user_script or {}
  if type(us.get_threshold_value) ~= "function" then return end
  local value = us.get_threshold_value(params.granularity, params.entity_info)
  local conf = params.alert_config or params.user_script_config or {}
  local threshold = tonumber(conf.edge or conf.threshold)
  if value == nil or threshold == nil then return end
  local op = conf.operator or "gt"
  local hit
  if op == "lt" then hit = value < threshold else hit = value > threshold end
  -- Not crossed and nothing engaged (`cur_alerts` is an empty sequence): the release
  -- would be a no-op, so no type_info is built.
  local cur = params.cur_alerts
  if not hit and cur ~= nil and cur[1] == nil then return end
  local builder = us.threshold_type_builder or M.thresholdCrossType
  local info = builder(params.granularity, us.key, value, op, threshold)
  if hit then
    M.trigger(params.alert_entity, info, nil, params.cur_alerts)
  else
    M.release(params.alert_entity, info, nil, params.cur_alerts)
  end
end
local tonumber = tonumber
local NO_CONF = {}  -- never written
-- The numeric threshold of each configuration table, with the raw values it was
-- computed from (a script changing its conf in place is seen at the next call).
local thresholds = setmetatable({}, { __mode = "k" })
function M.checkThresholdAlert(params, alert_type, value)
  local conf = params.user_script_config or NO_CONF
  local raw, op = conf.threshold, conf.operator
  local c = thresholds[conf]
  if c == nil or c[1] ~= raw or c[2] ~= op then
    c = { raw, op, tonumber(raw) }
    thresholds[conf] = c
  end
  local threshold = c[3]
  local cur = params.cur_alerts
  -- Fast path (most entities, most of the time): a value that does not cross the
  -- threshold and nothing engaged (weir's `cur_alerts` lists engaged alerts as a
  -- sequence), so a release would be a no-op: no type_info is built and no function
  -- is called. (A value that is not a number fails the comparison here as it would
  -- below.)
  if cur ~= nil and cur[1] == nil then
    if threshold == nil then return false end
    if op == "lt" then
      if not (value < threshold) then return false end
    elseif not (value > threshold) then
      return false
    end
  end
  local key = params.user_script and params.user_script.key
  local info
  if type(alert_type) == "table" and type(alert_type.create) == "function" and type(alert_type.creator) == "function" then
    -- 4.2: the type's creator (createThresholdCross: severity, subtype, granularity,
    -- metric, value, operator, threshold) builds the type_info.
    info = alert_type.create(alert_consts.alert_severities.error, key,
      alert_consts.alerts_granularities[params.granularity], key, value, conf.operator, conf.threshold)
  end
  if type(info) ~= "table" then info = { alert_type = alert_type } end
  -- A type without a creator (weir's built-ins): the threshold-cross fields.
  if info.alert_severity == nil then info.alert_severity = alert_consts.alert_severities.error end
  if info.alert_granularity == nil then info.alert_granularity = alert_consts.alerts_granularities[params.granularity] end
  if info.alert_subtype == nil then info.alert_subtype = key end
  if info.alert_type_params == nil or next(info.alert_type_params) == nil then
    info.alert_type_params = { metric = key, value = value, operator = conf.operator or "gt", threshold = threshold }
  end
  if threshold == nil then M.release(params.alert_entity, info, nil, params.cur_alerts); return false end
  local hit
  if conf.operator == "lt" then hit = value < threshold else hit = value > threshold end
  if hit then M.trigger(params.alert_entity, info, nil, params.cur_alerts) else M.release(params.alert_entity, info, nil, params.cur_alerts) end
  return hit
end
function M.anomaly_check_function(params)
  local us = params.user_script or {}
  if type(us.anomaly_type_builder) ~= "function" then return end
  local info = us.anomaly_type_builder(alert_consts.alert_severities.error, alert_consts.alerts_granularities.min, us.key)
  local anomalies = params.entity_info and params.entity_info.anomalies or {}
  if anomalies[us.key] then
    M.trigger(params.alert_entity, info, nil, params.cur_alerts)
  else
    M.release(params.alert_entity, info, nil, params.cur_alerts)
  end
end

-- Per-entity deltas between two runs of a granularity (lua-api.md §5): the value
-- stored under name + granularity for the entity being visited at the previous call
-- is subtracted from `value`, and `value` is stored. First call: `value`, or 0 when
-- `skip_first`. `obj` is the host, network or interface global. (The callers keep
-- their frame, not a tail call, so errors point at the script's line.)
local function granularity_id(g)
  if type(g) == "table" then return g.granularity_id end
  if type(g) == "string" then
    local x = alert_consts.alerts_granularities[g]
    return x and x.granularity_id
  end
  if math.type(g) == "integer" and g >= 0 and g <= 4 then return g end
  return nil
end
local function delta_val(obj, fname, name, granularity, value, skip_first)
  local gid = granularity_id(granularity)
  if gid == nil then error(fname .. ": unknown granularity " .. tostring(granularity), 3) end
  if type(value) ~= "number" then error(fname .. ": value must be a number, got " .. type(value), 3) end
  -- One call: stores `value` under name:gid, returns the number stored before (nil
  -- at the first call). getCachedAlertValue reads the same values as text.
  local prev = obj.deltaCachedValue(tostring(name) .. ":" .. gid, gid, value)
  if prev == nil then
    if skip_first then return 0 end
    return value
  end
  return value - prev
end
function M.host_delta_val(name, granularity, value, skip_first)
  local d = delta_val(host, "host_delta_val", name, granularity, value, skip_first)
  return d
end
function M.network_delta_val(name, granularity, value, skip_first)
  local d = delta_val(network, "network_delta_val", name, granularity, value, skip_first)
  return d
end
function M.interface_delta_val(name, granularity, value, skip_first)
  local d = delta_val(interface, "interface_delta_val", name, granularity, value, skip_first)
  return d
end

-- Bytes of a protocol / category in getStats()-style tables: sent + received when the
-- table splits them, else the total (`interface.getStats()` has only the total).
function M.application_bytes(stats, name)
  local p = stats and stats.ndpi and stats.ndpi[name]
  if not p then return 0 end
  if p["bytes.sent"] or p["bytes.rcvd"] then return (p["bytes.sent"] or 0) + (p["bytes.rcvd"] or 0) end
  return p.bytes or 0
end
function M.category_bytes(stats, name)
  local p = stats and stats.ndpi_categories and stats.ndpi_categories[name]
  return p and (p.bytes or 0) or 0
end

-- 3.x check modules: the only GUI builder (an enable checkbox).
function M.flow_checkbox_input_builder(module) return "checkbox" end

-- 3.x: store an alert for the current flow.
function M.storeFlowAlert(alert_type, severity, info)
  return W.alert("store", entity("flow", "flow"), { alert_type = alert_type, alert_severity = severity, alert_type_params = info })
end

return M
