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
   -- Only local clients talking to remote servers reach the hook.
   prefilter = { peers = "local_to_remote", not_in = "items" },
   hooks = {},
   gui = {
      i18n_title = "unexpected_dns.title",
      i18n_description = "unexpected_dns.description",
      input_builder = "items_list",
      input_title = "unexpected_dns.input_title",
      input_description = "unexpected_dns.input_description",
   },
}

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
            "unexpected_dns: items[%d] (%s) is left out: %s", b.index, tostring(b.text), b.reason))
      end
      lists[items] = l
   end
   return l:contains(ip)
end

function script.hooks.protocolDetected(now, conf)
   -- The prefilter admits local clients talking to remote servers; of those, only
   -- unicast servers on the standard port (broadcast and multicast servers are not
   -- servers of anybody in particular) outside the allowed list are reported. No table
   -- is built unless a status is raised.
   if flow.getServerPort() ~= 53 or not flow.isServerUnicast() then
      return
   end
   if listed(flow.getServerIp(), conf.items or NO_ITEMS) then
      return
   end
   local info = flow.getInfo()
   local status = flow_consts.status_types.status_unexpected_dns
   flow.triggerStatus(status.create(status.alert_severity, {
      cli_ip = info["cli.ip"],
      srv_ip = info["srv.ip"],
      srv_port = info["srv.port"],
      info = info["info"],
   }), 50, 50, 10)
end

return script
