-- A UDP request that never gets an answer: a server that is down, a firewall
-- dropping the replies, a host asking a resolver that does not exist. The alert and
-- the status (status_udp_unidirectional, key 26) are weir built-ins, so this plugin
-- ships no definitions of its own.
local user_scripts = require("user_scripts")
local flow_consts = require("flow_consts")

local script = {
   category = user_scripts.script_categories.network,
   default_enabled = true,
   l4_proto = "udp", -- filtered before Lua: TCP and ICMP flows cost nothing
   -- Protocols that are one-way by design (log and flow export).
   default_value = { items = { "Syslog", "NetFlow", "sFlow", "IPFIX", "SNMP" } },
   -- Only flows the server never answered reach the hooks.
   prefilter = { unidirectional = true },
   hooks = {},
   gui = {
      i18n_title = "udp_unidirectional.title",
      i18n_description = "udp_unidirectional.description",
      input_builder = "items_list",
      input_title = "udp_unidirectional.exclude_title",
      input_description = "udp_unidirectional.exclude_description",
   },
}

local function excluded(conf)
   local app = flow.getInfo()["proto.ndpi_app"]
   for _, name in ipairs(conf.items or {}) do
      if name == app then
         return true
      end
   end
   return false
end

-- Judged when the flow is over: until then an answer may still come.
function script.hooks.flowEnd(now, conf)
   if flow.getPacketsRcvd() > 0 or flow.getPacketsSent() == 0 then
      return
   end
   -- Broadcast and multicast (DHCP, mDNS, SSDP, ...) are not answered by design.
   if not flow.isUnicast() or excluded(conf) then
      return
   end
   local info = flow.getInfo()
   flow.triggerStatus(flow_consts.status_types.status_udp_unidirectional, {
      cli_ip = info["cli.ip"],
      srv_ip = info["srv.ip"],
      srv_port = info["srv.port"],
      proto = info["proto.ndpi"],
      packets = flow.getPacketsSent(),
      bytes = flow.getBytesSent(),
   }, 10 --[[ flow ]], 5 --[[ client ]], 5 --[[ server ]])
end

return script
