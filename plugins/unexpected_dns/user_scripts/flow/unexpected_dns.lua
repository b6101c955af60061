-- A host that resolves names through a server nobody chose is a classic sign of
-- DNS-changer malware, a rogue DHCP lease or a misconfigured device: the server can
-- answer anything (phishing, ad injection). Allowed servers: those inside the local
-- networks (the site's own resolvers) and the `items` list, which by default holds the
-- big public resolvers (Google, Cloudflare, Quad9, OpenDNS), so the plugin is useful
-- out of the box and quiet on ordinary traffic; a network that forces its own resolver
-- empties the list.
local user_scripts = require("user_scripts")
local flow_consts = require("flow_consts")

local script = {
   l7_proto = "DNS",
   category = user_scripts.script_categories.security,
   default_enabled = true,
   default_value = {
      items = {
         -- Google Public DNS
         "8.8.8.8", "8.8.4.4", "2001:4860:4860::8888", "2001:4860:4860::8844",
         -- Cloudflare
         "1.1.1.1", "1.0.0.1", "2606:4700:4700::1111", "2606:4700:4700::1001",
         -- Quad9
         "9.9.9.9", "149.112.112.112", "2620:fe::fe", "2620:fe::9",
         -- OpenDNS
         "208.67.222.222", "208.67.220.220",
      },
   },
   hooks = {},
   gui = {
      i18n_title = "unexpected_dns.title",
      i18n_description = "unexpected_dns.description",
      input_builder = "items_list",
      input_title = "unexpected_dns.input_title",
      input_description = "unexpected_dns.input_description",
   },
}

-- The integer of a dotted IPv4 address, or nil.
local function v4(s)
   local a, b, c, d = s:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
   if not a then return nil end
   a, b, c, d = tonumber(a), tonumber(b), tonumber(c), tonumber(d)
   if a > 255 or b > 255 or c > 255 or d > 255 then return nil end
   return (a << 24) | (b << 16) | (c << 8) | d
end

-- The entry of `items` that `ip` (text) equals or whose IPv4 CIDR network holds it, or
-- nil. IPv6 entries are compared as weir writes addresses: compressed, lower case.
local function listed(ip, items)
   local n = v4(ip)
   for _, e in ipairs(items) do
      e = tostring(e)
      if e:lower() == ip then
         return e
      end
      local net, plen = e:match("^([%d%.]+)/(%d+)$")
      plen = tonumber(plen)
      if n and net and plen and plen <= 32 then
         local m = v4(net)
         local mask = (0xffffffff << (32 - plen)) & 0xffffffff
         if m and (n & mask) == (m & mask) then
            return e
         end
      end
   end
   return nil
end

function script.hooks.protocolDetected(now, conf)
   local info = flow.getInfo()
   -- Only local clients asking a server on the standard port; broadcast and multicast
   -- servers are not servers of anybody in particular.
   if info["srv.port"] ~= 53 or not info["cli.localhost"] or info["srv.localhost"]
      or not flow.isServerUnicast() then
      return
   end
   if listed(info["srv.ip"], conf.items or {}) then
      return
   end
   local status = flow_consts.status_types.status_unexpected_dns_server
   flow.triggerStatus(status.create(status.alert_severity, {
      cli_ip = info["cli.ip"],
      srv_ip = info["srv.ip"],
      srv_port = info["srv.port"],
      info = info["info"],
   }), 50, 50, 10)
end

return script
