-- DNS problems that point at malware or misuse:
--
--  * malformed: the query name holds characters host names never have, or a flow on
--    the DNS port carries no readable query at all (another protocol hiding there);
--  * tunnelling: a name longer than `max_name_length` or with a label longer than
--    `max_label_length` (tunnels such as iodine or dnscat2 pack data into long
--    base32/hex labels; ordinary names stay far below 100 characters);
--  * random-looking names (domain generation algorithms): the engine flags the flow
--    with nDPI's risk 16 (suspicious DGA domain name) when the label left of the
--    top-level domain has 11+ letters and reads unlike English text (share of rare
--    letter pairs, mean letter frequency); reverse lookups and service names
--    (`_ldap._tcp`) never are.
-- The common case (an ordinary name) costs three calls into the engine: no table is
-- built unless a status is raised. NXDOMAIN bursts are the host script's
-- (`user_scripts/host/dns_nxdomain_burst.lua`), on the host's DNS reply counters.
local user_scripts = require("user_scripts")
local flow_consts = require("flow_consts")

-- nDPI's risk id of a suspicious (DGA-like) domain name (flow_risk_utils.risks).
local NDPI_RISK_SUSPICIOUS_DGA_DOMAIN = 16

local script = {
   l7_proto = "DNS",
   category = user_scripts.script_categories.security,
   default_enabled = true,
   default_value = {
      max_name_length = 100,
      max_label_length = 50,
   },
   hooks = {},
   gui = {
      i18n_title = "dns_issues.title",
      i18n_description = "dns_issues.description",
   },
}

local function raise(s, score, q, problem, extra, args)
   local c = s.create(s.alert_severity, table.unpack(args or {}))
   c.alert_type_params = c.alert_type_params or {}
   local info = flow.getInfo()
   local t = { cli_ip = info["cli.ip"], srv_ip = info["srv.ip"], query = q, problem = problem }
   for k, v in pairs(extra or {}) do t[k] = v end
   for k, v in pairs(t) do c.alert_type_params[k] = v end
   flow.triggerStatus(c, score, score, 10)
end

local function longest_label(q)
   local longest = 0
   for l in q:gmatch("[^%.]+") do
      if #l > longest then longest = #l end
   end
   return longest
end

function script.hooks.protocolDetected(now, conf)
   local types = flow_consts.status_types
   local q = flow.getDnsQuery()
   if q == "" then
      -- Payload but no query: another protocol on the DNS port. (A bare TCP probe,
      -- as in a port scan, carries no payload and is not DNS at all.)
      if flow.getGoodputBytes() > 0 and flow.getInfo()["srv.port"] == 53 then
         raise(types.status_dns_invalid_query, 30, nil, "no readable DNS query on the DNS port")
      end
      return
   end
   -- The engine sets the status itself on a name with invalid characters.
   if flow.isStatusSet(types.status_dns_invalid_query)
      and flow.getDNSInfo()["protos.dns.invalid_chars_in_query"] then
      raise(types.status_dns_invalid_query, 30, q, "invalid characters in the query name")
   end
   local max_name = tonumber(conf.max_name_length) or 100
   local max_label = tonumber(conf.max_label_length) or 50
   -- No label can be longer than the whole name: most names need no label walk.
   local longest = #q > max_label and longest_label(q) or #q
   if #q > max_name or longest > max_label then
      raise(types.status_dns_data_exfiltration, 80, q,
         string.format("query name of %d characters, longest label %d (tunnelling?)", #q, longest),
         { length = #q, longest_label = longest, qtype = flow.getDNSInfo()["protos.dns.last_query_type"] })
   elseif flow.hasRisk(NDPI_RISK_SUSPICIOUS_DGA_DOMAIN) then
      local label = q:lower():gsub("%.$", ""):match("([^%.]+)%.[^%.]+$")
      raise(types.status_flow_risk, 50, q, string.format("random-looking name %s", q),
         { label = label }, { NDPI_RISK_SUSPICIOUS_DGA_DOMAIN })
   end
end

return script
