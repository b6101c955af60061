-- Records, for the interface script, every host whose address looks local
-- (private, shared or link-local ranges) but is outside the configured local
-- networks. Such a host sits on a subnet nobody declared: a rogue DHCP server or
-- router, a device that fell back to a link-local address, a forgotten lab net.
local user_scripts = require("user_scripts")
local ipnet = require("ipnet")

local script = {
   category = user_scripts.script_categories.network,
   default_enabled = true,
   default_value = {
      -- Address ranges that only exist on local segments.
      items = {
         "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", -- RFC 1918
         "100.64.0.0/10", -- shared address space (carrier NAT)
         "169.254.0.0/16", -- IPv4 link-local
         "fc00::/7", -- IPv6 unique local
         -- (not fe80::/10: every IPv6 interface has a link-local address)
      },
   },
   hooks = {},
   gui = {
      i18n_title = "ghost_networks.flow_title",
      i18n_description = "ghost_networks.flow_description",
      input_builder = "items_list",
      input_title = "ghost_networks.ranges_title",
      input_description = "ghost_networks.ranges_description",
   },
}

-- Parsed ranges, rebuilt when the configured list changes.
local ranges, ranges_of

local function local_looking(conf, ip)
   if ranges_of ~= conf.items then
      ranges, ranges_of = {}, conf.items
      for _, cidr in ipairs(conf.items or {}) do
         ranges[#ranges + 1] = ipnet.network(cidr)
      end
   end
   for _, net in ipairs(ranges) do
      if ipnet.contains(net, ip) then
         return true
      end
   end
   return false
end

local function record(now, ip)
   local net = ipnet.subnet(ip)
   if not net then
      return
   end
   -- "<last seen>,<flows>" per ghost network, read by the interface script.
   local cur = ntop.getHashCache("ghost_networks.seen", net)
   local flows = tonumber(cur:match(",(%d+)$") or "0") + 1
   ntop.setHashCache("ghost_networks.seen", net, string.format("%d,%d", now, flows))
   ntop.setHashCache("ghost_networks.hosts." .. net, ip, tostring(now))
end

function script.hooks.protocolDetected(now, conf)
   local info = flow.getInfo()
   for _, side in ipairs({ "cli", "srv" }) do
      local ip = info[side .. ".ip"]
      if not info[side .. ".localhost"] and local_looking(conf, ip) then
         record(now, ip)
      end
   end
end

return script
