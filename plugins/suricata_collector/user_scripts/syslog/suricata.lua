-- Suricata Eve JSON events received over syslog (producer "suricata").
--
--   alert     a weir alert (alert_external_alert, subtype "alert") on the source host
--             with the signature, its id, category and Suricata severity (1 → error,
--             2 → warning, 3 → notice, other → info); and, when weir tracks the flow,
--             the flow status status_external_alert carrying the signature.
--   anomaly   alert_external_alert, subtype "anomaly", on the source host (one per
--             host and anomaly within anomaly_window seconds).
--   fileinfo  an executable file (by magic, or by extension) → alert
--             alert_suspicious_file_transfer on the receiving host, and the flow status
--             status_suspicious_file_transfer when the flow is tracked.
--   flow, netflow, dns, http, tls, dhcp, stats and any other type: counted per type,
--             nothing stored (weir sees that traffic itself).
--
-- Alerts are timed when the message arrives; the event's own timestamp is kept in
-- the alert JSON (event_time) and used to find the flow.

local alerts_api = require "alerts_api"
local alert_consts = require "alert_consts"
local flow_consts = require "flow_consts"
local flow_utils = require "flow_utils"
local user_scripts = require "user_scripts"
local json = require "dkjson"

local script = {
   category = user_scripts.script_categories.security,
   default_enabled = true,
   default_value = {
      -- Store IDS alerts of Suricata severity 1 .. min_severity (1 is the highest).
      min_severity = 3,
      -- Ask for a flow status on the flow the event names.
      flow_status = true,
      -- Seconds during which one host's repeated anomaly is stored once.
      anomaly_window = 60,
      -- File extensions treated as executables (besides the libmagic "executable").
      executable_extensions = { "exe", "dll", "scr", "msi", "bat", "ps1", "vbs", "jar", "elf" },
   },
   gui = {
      i18n_title = "suricata_collector.title",
      i18n_description = "suricata_collector.description",
   },
   hooks = {},
}

-- Events seen per Eve type (flow, http, ...), for tprint-style inspection.
script.counters = {}

local severity_by_suricata = {
   [1] = alert_consts.alert_severities.error,
   [2] = alert_consts.alert_severities.warning,
   [3] = alert_consts.alert_severities.notice,
}
local score_by_suricata = { [1] = 100, [2] = 50, [3] = 10 }

-- Days since 1970-01-01 of a civil date (proleptic Gregorian).
local function days_from_civil(y, m, d)
   if m <= 2 then y = y - 1 end
   local era = (y >= 0 and y or y - 399) // 400
   local yoe = y - era * 400
   local mp = (m + 9) % 12
   local doy = (153 * mp + 2) // 5 + d - 1
   local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
   return era * 146097 + doe - 719468
end

-- Epoch seconds of an Eve timestamp ("2022-06-11T09:57:56.660368+0100"), or nil.
local function eve_time(s)
   if type(s) ~= "string" then return nil end
   local y, mo, d, h, mi, se, rest = s:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)T(%d%d):(%d%d):(%d%d)(.*)$")
   if not y then return nil end
   local t = days_from_civil(tonumber(y), tonumber(mo), tonumber(d)) * 86400
      + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(se)
   local sign, oh, om = rest:match("([%+%-])(%d%d):?(%d%d)$")
   if sign then
      local off = tonumber(oh) * 3600 + tonumber(om) * 60
      t = (sign == "+") and (t - off) or (t + off)
   end
   return t
end
script.eve_time = eve_time

local function vlan_of(ev)
   if type(ev.vlan) == "table" and math.type(ev.vlan[1]) == "integer" then
      return ev.vlan[1]
   end
   return 0
end

local function str(v)
   if v == nil then return nil end
   return tostring(v)
end

-- The fields every alert of an event carries.
local function base_params(ev, sensor)
   return {
      src_ip = str(ev.src_ip),
      src_port = ev.src_port,
      dst_ip = str(ev.dest_ip),
      dst_port = ev.dest_port,
      proto = str(ev.proto),
      app_proto = str(ev.app_proto),
      flow_id = ev.flow_id,
      community_id = str(ev.community_id),
      event_time = str(ev.timestamp),
      sensor = sensor,
   }
end

local function request_flow_status(ev, status, info, scores)
   if type(ev.src_ip) ~= "string" or type(ev.dest_ip) ~= "string" or ev.proto == nil then
      return false
   end
   return flow_utils.triggerStatusByTuple({
      src_ip = ev.src_ip,
      src_port = ev.src_port,
      dst_ip = ev.dest_ip,
      dst_port = ev.dest_port,
      l4_proto = ev.proto,
      vlan_id = vlan_of(ev),
      when = eve_time(ev.timestamp),
      status = status,
      status_info = info,
      flow_score = scores[1],
      cli_score = scores[2],
      srv_score = scores[3],
   })
end

local function on_alert(ev, conf, sensor)
   local a = ev.alert
   if type(a) ~= "table" or type(ev.src_ip) ~= "string" then return end
   local sev = tonumber(a.severity)
   sev = sev and math.tointeger(sev) or 3
   if sev > (tonumber(conf.min_severity) or 3) then return end
   local params = base_params(ev, sensor)
   params.signature = str(a.signature)
   params.signature_id = a.signature_id
   params.category = str(a.category)
   params.suricata_severity = sev
   params.action = str(a.action)
   params.gid = a.gid
   params.rev = a.rev
   local severity = severity_by_suricata[sev] or alert_consts.alert_severities.info
   local info = alert_consts.alert_types.alert_external_alert.create(severity, params)
   info.alert_subtype = "alert"
   alerts_api.store(alerts_api.hostAlertEntity(ev.src_ip, vlan_of(ev)), info)
   if conf.flow_status ~= false then
      local score = score_by_suricata[sev] or 5
      request_flow_status(ev, flow_consts.status_types.status_external_alert,
         { source = "suricata", alert = { signature = params.signature, category = params.category },
           signature = params.signature, signature_id = params.signature_id,
           category = params.category, suricata_severity = sev, severity_id = severity.severity_id },
         { score, score, score // 10 })
   end
end

-- Last time (epoch) each "host|anomaly" was stored, pruned as it grows.
local anomaly_seen, anomaly_count = {}, 0

local function on_anomaly(ev, conf, sensor)
   local an = ev.anomaly
   if type(an) ~= "table" or type(ev.src_ip) ~= "string" then return end
   local now = os.time()
   local window = tonumber(conf.anomaly_window) or 60
   local key = ev.src_ip .. "|" .. tostring(an.event or an.type)
   local last = anomaly_seen[key]
   if last and now - last < window then return end
   if anomaly_count > 10000 then anomaly_seen, anomaly_count = {}, 0 end
   if not last then anomaly_count = anomaly_count + 1 end
   anomaly_seen[key] = now
   local params = base_params(ev, sensor)
   params.anomaly_type = str(an.type)
   params.anomaly_event = str(an.event or an.type)
   params.anomaly_layer = str(an.layer)
   local info = alert_consts.alert_types.alert_external_alert.create(
      alert_consts.alert_severities.notice, params)
   info.alert_subtype = "anomaly"
   alerts_api.store(alerts_api.hostAlertEntity(ev.src_ip, vlan_of(ev)), info)
end

local function is_executable(fi, conf)
   local magic = type(fi.magic) == "string" and fi.magic:lower() or ""
   if magic:find("executable", 1, true) or magic:find("pe32", 1, true) then
      return true
   end
   local name = type(fi.filename) == "string" and fi.filename:lower() or ""
   local ext = name:match("%.([%w]+)$")
   if ext == nil then return false end
   for _, e in ipairs(conf.executable_extensions or {}) do
      if ext == tostring(e):lower() then return true end
   end
   return false
end

local function on_fileinfo(ev, conf, sensor)
   local fi = ev.fileinfo
   if type(fi) ~= "table" or type(ev.dest_ip) ~= "string" or not is_executable(fi, conf) then
      return
   end
   local params = base_params(ev, sensor)
   params.filename = str(fi.filename)
   params.magic = str(fi.magic) or ""
   params.size = fi.size
   params.sha256 = str(fi.sha256)
   if type(ev.http) == "table" then
      params.http_host = str(ev.http.hostname)
      params.http_url = str(ev.http.url)
   end
   local info = alert_consts.alert_types.alert_suspicious_file_transfer.create(
      alert_consts.alert_severities.warning, params)
   -- The host that received the file.
   alerts_api.store(alerts_api.hostAlertEntity(ev.dest_ip, vlan_of(ev)), info)
   if conf.flow_status ~= false then
      request_flow_status(ev, flow_consts.status_types.status_suspicious_file_transfer,
         { filename = params.filename, magic = params.magic }, { 50, 50, 10 })
   end
end

local handlers = { alert = on_alert, anomaly = on_anomaly, fileinfo = on_fileinfo }
local known_types = {}
for _, t in ipairs({ "alert", "anomaly", "fileinfo", "flow", "netflow", "dns", "http", "tls",
                     "dhcp", "stats", "ssh", "smtp", "smb", "ftp", "drop" }) do
   known_types[t] = true
end

-- handleEvent(syslog_conf, message, host, priority) (ntopng 4.2 form).
function script.hooks.handleEvent(syslog_conf, message, host, priority)
   local mine = syslog_conf and syslog_conf[script.key]
   local conf = (mine and mine.all and mine.all.script_conf) or script.default_value
   -- Eve lines may carry a "@cee:" cookie or other text before the JSON object.
   local start = message:find("{", 1, true)
   if start == nil then return end
   local ev = json.decode(message:sub(start))
   if type(ev) ~= "table" or type(ev.event_type) ~= "string" then return end
   -- Counted by type; unknown types together (a sender cannot grow the table).
   local kind = known_types[ev.event_type] and ev.event_type or "other"
   script.counters[kind] = (script.counters[kind] or 0) + 1
   local h = handlers[ev.event_type]
   if h then h(ev, conf, host) end
end

return script
