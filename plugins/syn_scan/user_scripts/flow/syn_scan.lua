-- A SYN scan shows up as many short TCP flows that never complete the three-way
-- handshake: the target answers RST (closed port), SYN-ACK that the scanner resets
-- (open port), or nothing at all (filtered port). What tells a scan from a SYN flood
-- is breadth: a scanner touches many distinct destinations (host and port), a flood
-- hammers one. This script counts, per minute of flow start time, the distinct
-- destinations of each client's failed attempts and the distinct ports probed on each
-- server, and raises the built-in SYN scan alert (one-shot, host entity) for the
-- prober and for each host probed on more ports than the threshold.
local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")
local user_scripts = require("user_scripts")

-- A probe sends at most this many packets: the SYN, perhaps a retransmission, and the
-- RST answering an open port's SYN-ACK.
local MAX_PROBE_PACKETS = 3

local script = {
   l4_proto = "tcp",
   category = user_scripts.script_categories.security,
   default_enabled = true,
   -- `threshold`: distinct destinations (attacker) and distinct ports (victim) per minute.
   default_value = { operator = "gt", threshold = 100 },
   hooks = {},
   gui = {
      i18n_title = "syn_scan.title",
      i18n_description = "syn_scan.description",
      i18n_field_unit = user_scripts.field_units.syn_min,
      input_builder = "threshold_cross",
      input_title = "syn_scan.input_title",
      field_operator = "gt",
      field_min = 1,
      field_max = 100000,
   },
}

-- [key] = { minute = <start minute>, seen = { [destination] = true }, n = <distinct>, alerted = bool }
local probers = {}
local probed = {}
local calls = 0

local function count(tbl, key, minute, what)
   local st = tbl[key]
   if st == nil or st.minute ~= minute then
      st = { minute = minute, seen = {}, n = 0, alerted = false }
      tbl[key] = st
   end
   if not st.seen[what] then
      st.seen[what] = true
      st.n = st.n + 1
   end
   return st
end

-- Forgets the counters of minutes long gone (hosts that stopped probing).
local function prune(minute)
   for _, tbl in ipairs({ probers, probed }) do
      for k, st in pairs(tbl) do
         if st.minute < minute - 2 then
            tbl[k] = nil
         end
      end
   end
end

local function raise(subtype, ip, vlan, value, threshold, minute)
   local entity = alerts_api.hostAlertEntity(ip, vlan)
   alerts_api.store(entity, {
      alert_type = alert_consts.alert_types.alert_tcp_syn_scan,
      alert_severity = alert_consts.alert_severities.error,
      alert_subtype = subtype,
      alert_type_params = {
         metric = subtype,
         value = value,
         operator = "gt",
         threshold = threshold,
         minute_start = minute * 60,
      },
   })
end

function script.hooks.flowEnd(now, conf)
   if flow.isTwhOK() or flow.getPacketsSent() > MAX_PROBE_PACKETS then
      return
   end
   local threshold = tonumber(conf.threshold) or 100
   local info = flow.getInfo()
   local minute = flow.getFirstSeen() // 60
   local vlan = tonumber(flow.getClientKey():match("@(%d+)$")) or 0
   local cli, srv, port = info["cli.ip"], info["srv.ip"], info["srv.port"]

   local a = count(probers, cli, minute, srv .. "|" .. port)
   if a.n > threshold and not a.alerted then
      a.alerted = true
      raise("syn_scan_attacker", cli, vlan, a.n, threshold, minute)
   end
   local v = count(probed, srv, minute, port)
   if v.n > threshold and not v.alerted then
      v.alerted = true
      raise("syn_scan_victim", srv, vlan, v.n, threshold, minute)
   end

   calls = calls + 1
   if calls % 4096 == 0 then
      prune(minute)
   end
end

return script
