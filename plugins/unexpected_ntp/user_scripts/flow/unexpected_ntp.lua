-- Clocks matter for logs, certificates and Kerberos: hosts should take their time
-- from the servers the administrator chose. There is no list of "good" NTP servers
-- that fits every network (public pools answer from thousands of addresses), so the
-- script is disabled by default: enabling it states a policy. Allowed servers: those
-- inside the local networks, plus the `items` list (addresses or CIDR networks);
-- with an empty list only local servers are allowed.
local user_scripts = require("user_scripts")
local flow_consts = require("flow_consts")

local script = {
   l7_proto = "NTP",
   category = user_scripts.script_categories.security,
   default_enabled = false,
   default_value = {
      items = {},
   },
   -- Only local clients talking to remote servers reach the hook.
   prefilter = { peers = "local_to_remote", not_in = "items" },
   hooks = {},
   gui = {
      i18n_title = "unexpected_ntp.title",
      i18n_description = "unexpected_ntp.description",
      input_builder = "items_list",
      input_title = "unexpected_ntp.input_title",
      input_description = "unexpected_ntp.input_description",
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
            "unexpected_ntp: items[%d] (%s) is left out: %s", b.index, tostring(b.text), b.reason))
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
   if flow.getServerPort() ~= 123 or not flow.isServerUnicast() then
      return
   end
   if listed(flow.getServerIp(), conf.items or NO_ITEMS) then
      return
   end
   local info = flow.getInfo()
   local status = flow_consts.status_types.status_unexpected_ntp
   flow.triggerStatus(status.create(status.alert_severity, {
      cli_ip = info["cli.ip"],
      srv_ip = info["srv.ip"],
      srv_port = info["srv.port"],
      info = info["info"],
   }), 50, 50, 10)
end

return script
