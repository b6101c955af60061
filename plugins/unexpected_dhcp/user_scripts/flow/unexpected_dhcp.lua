-- A second DHCP server on a LAN (a home router plugged in the wrong way round, a
-- misconfigured VM host, or an attacker) hands out leases with its own gateway and DNS
-- server, which puts it in the middle of its victims' traffic.
--
-- A DHCP server sends from UDP port 67. Offers and ACKs usually go to the broadcast
-- address, so in the flow the server is the endpoint on port 67 with a unicast,
-- non-zero address (the client's DISCOVER comes from 0.0.0.0:68 to the broadcast).
--
-- Allowed servers are the `items` list. It is empty by default, because nothing can
-- guess a network's DHCP server: then the first server seen answering is trusted
-- (trust on first use, remembered until the plugins are reloaded) and any other one
-- is flagged. On a network with two legitimate servers, list them.
local user_scripts = require("user_scripts")
local flow_consts = require("flow_consts")

local script = {
   l7_proto = "DHCP",
   category = user_scripts.script_categories.security,
   default_enabled = true,
   default_value = { items = {} },
   hooks = {},
   gui = {
      i18n_title = "unexpected_dhcp.title",
      i18n_description = "unexpected_dhcp.description",
      input_builder = "items_list",
      input_title = "unexpected_dhcp.input_title",
      input_description = "unexpected_dhcp.input_description",
   },
}

-- The server trusted on first use when no list is configured.
local first_server = nil

local NO_ITEMS = {}

-- The allowed servers as an address list (addresses and IPv4/IPv6 CIDR networks),
-- built once per configuration table.
local lists = setmetatable({}, { __mode = "k" })

local function listed(ip, items)
   local l = lists[items]
   if l == nil then
      local bad
      l, bad = ntop.newAddressList(items)
      for _, b in ipairs(bad) do
         traceError(TRACE_WARNING, TRACE_CONSOLE, string.format(
            "unexpected_dhcp: items[%d] (%s) is left out: %s", b.index, tostring(b.text), b.reason))
      end
      lists[items] = l
   end
   return l:contains(ip)
end

function script.hooks.protocolDetected(now, conf)
   local info = flow.getInfo()
   local server
   if info["cli.port"] == 67 and flow.isClientUnicast() and not flow.isClientNoIP() then
      server = info["cli.ip"]
   elseif info["srv.port"] == 67 and flow.isServerUnicast() and not flow.isServerNoIP() then
      server = info["srv.ip"]
   else
      return -- a client's broadcast request
   end
   local items = conf.items or NO_ITEMS
   local allowed
   if #items > 0 then
      if listed(server, items) then
         return
      end
      allowed = table.concat(items, ", ")
   else
      if first_server == nil then
         first_server = server
      end
      if server == first_server then
         return
      end
      allowed = first_server .. " (first seen)"
   end
   local status = flow_consts.status_types.status_unexpected_dhcp
   flow.triggerStatus(status.create(status.alert_severity, {
      server_ip = server,
      cli_ip = info["cli.ip"],
      srv_ip = info["srv.ip"],
      allowed = allowed,
   }), 100, 10, 100)
end

return script
