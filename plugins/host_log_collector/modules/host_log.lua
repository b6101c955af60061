-- Shared by the host_log_collector syslog scripts: matches a log line against the
-- script's rules and raises alert_host_log when a rule's threshold is reached.
--
-- A rule (script configuration, `rules` array, first matching rule wins):
--   name       alert subtype (e.g. "ssh_auth_failure")
--   patterns   Lua patterns tried in order on the message; captures are named by
--   fields     (e.g. {"user", "source"})
--   severity   alert_consts.alert_severities name ("warning")
--   threshold  matches of the same entity needed within `window` seconds (1 = each)
--   window     seconds
--   entity     "source" (the captured source address) or "host" (the host that logged)
-- When the threshold is reached one alert is stored (params: rule, count, window,
-- host, source, users seen, message = the last line) and the count starts again.

local alerts_api = require "alerts_api"
local alert_consts = require "alert_consts"

local M = {}

-- Most entities remembered per rule before the memory is reset.
local MAX_KEYS = 10000

local function match(rule, message)
   for _, p in ipairs(rule.patterns or {}) do
      -- A bad pattern in the configuration must not break the script.
      local r = table.pack(pcall(string.find, message, p))
      if r[1] and r[2] ~= nil then
         local caps = {}
         for i, name in ipairs(rule.fields or {}) do
            caps[name] = r[i + 3]
         end
         return caps
      end
   end
   return nil
end

-- Per script key: rule name → entity → {times = {...}, users = {...}}.
local state = {}

local function remember(script_key, rule, entity, now, user)
   local per_script = state[script_key]
   if per_script == nil then per_script = {}; state[script_key] = per_script end
   local per_rule = per_script[rule.name]
   if per_rule == nil or per_rule.n > MAX_KEYS then
      per_rule = { n = 0, by = {} }
      per_script[rule.name] = per_rule
   end
   local e = per_rule.by[entity]
   if e == nil then
      e = { times = {}, users = {} }
      per_rule.by[entity] = e
      per_rule.n = per_rule.n + 1
   end
   local window = tonumber(rule.window) or 60
   local kept = {}
   for _, t in ipairs(e.times) do
      if now - t < window then kept[#kept + 1] = t end
   end
   kept[#kept + 1] = now
   e.times = kept
   if user and user ~= "" and #e.users < 10 then
      local seen = false
      for _, u in ipairs(e.users) do if u == user then seen = true end end
      if not seen then e.users[#e.users + 1] = user end
   end
   if #kept >= (tonumber(rule.threshold) or 1) then
      local users = e.users
      per_rule.by[entity] = nil
      per_rule.n = per_rule.n - 1
      return #kept, users
   end
   return nil
end

--- Handles one message of a host_log_collector script.
-- @param script the script table (its `key` and `default_value`)
-- @param syslog_conf the syslog configuration handleEvent got
-- @param message the syslog CONTENT
-- @param host the HOST field, or the sender's address
-- @return the rule name that matched (nil if none)
function M.handle(script, syslog_conf, message, host)
   local mine = syslog_conf and syslog_conf[script.key]
   local conf = (mine and mine.all and mine.all.script_conf) or script.default_value
   if type(message) ~= "string" then return nil end
   for _, rule in ipairs(conf.rules or {}) do
      local caps = match(rule, message)
      if caps then
         local entity = host
         if rule.entity == "source" and caps.source and caps.source ~= "" then
            entity = caps.source
         end
         local count, users = remember(script.key, rule, entity, os.time(), caps.user)
         if count then
            local params = {
               rule = rule.name,
               count = count,
               window = tonumber(rule.window) or 60,
               host = host,
               message = message,
               users = (#users > 0) and users or nil,
            }
            for k, v in pairs(caps) do params[k] = v end
            local severity = alert_consts.alert_severities[rule.severity or "warning"]
               or alert_consts.alert_severities.warning
            -- 4.2's creator: (subtype, severity, host, level, facility, message);
            -- the rule's captures go beside its params.
            local info = alert_consts.alert_types.alert_host_log.create(rule.name, severity, host, nil,
               caps.facility, message)
            for k, v in pairs(params) do info.alert_type_params[k] = v end
            alerts_api.store(alerts_api.hostAlertEntity(entity, 0), info)
         end
         return rule.name
      end
   end
   return nil
end

return M
