-- Workstations hand their mail to the organisation's relay; a host that speaks SMTP
-- (port 25) straight to outside mail servers is usually a spam bot. Which relays are
-- legitimate depends on the network, so the script is disabled by default: enabling
-- it states a policy. Allowed servers: those inside the local networks, plus the
-- `items` list (addresses or IPv4 CIDR networks); with an empty list only local relays
-- are allowed. Mail submission (587, 465) is not checked.
local user_scripts = require("user_scripts")
local flow_consts = require("flow_consts")

local script = {
   l7_proto = "SMTP",
   category = user_scripts.script_categories.security,
   default_enabled = false,
   default_value = {
      items = {},
   },
   hooks = {},
   gui = {
      i18n_title = "unexpected_smtp.title",
      i18n_description = "unexpected_smtp.description",
      input_builder = "items_list",
      input_title = "unexpected_smtp.input_title",
      input_description = "unexpected_smtp.input_description",
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
   if info["srv.port"] ~= 25 or not info["cli.localhost"] or info["srv.localhost"]
      or not flow.isServerUnicast() then
      return
   end
   if listed(info["srv.ip"], conf.items or {}) then
      return
   end
   local status = flow_consts.status_types.status_unexpected_smtp_server
   flow.triggerStatus(status.create(status.alert_severity, {
      cli_ip = info["cli.ip"],
      srv_ip = info["srv.ip"],
      srv_port = info["srv.port"],
      info = info["info"],
   }), 50, 50, 10)
end

return script
