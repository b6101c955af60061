-- Flow script: flags TCP flows to a watched server port (telnet and VNC by
-- default), with a status that raises the example alert.
local user_scripts = require("user_scripts")
local flow_consts = require("flow_consts")

local script = {
   category = user_scripts.script_categories.security, -- scores go to the hosts' security score
   default_enabled = false, -- `weir scripts enable example_watched_port`
   l4_proto = "tcp", -- weir skips other flows before entering Lua
   default_value = { items = { "23", "2323", "5900" } }, -- the hooks' `conf`
   hooks = {},
   gui = {
      i18n_title = "example.flow_title",
      i18n_description = "example.flow_description",
      input_builder = "items_list", -- `weir scripts set example_watched_port items 22,23`
      input_title = "example.ports_title",
      input_description = "example.ports_description",
   },
}

-- Watched ports as a set, rebuilt when the configuration changes.
local watched, watched_of

-- Once per flow, at the first visit after L7 detection. `now` is the packet clock,
-- `conf` the script's configuration; the flow is the `flow` global.
function script.hooks.protocolDetected(now, conf)
   if watched_of ~= conf.items then
      watched, watched_of = {}, conf.items
      for _, p in ipairs(conf.items or {}) do
         watched[tonumber(p)] = true
      end
   end
   local info = flow.getInfo()
   local port = info["srv.port"]
   if not watched[port] then
      return
   end
   local status = flow_consts.status_types.status_example_watched_port
   -- create() builds the alert parameters through alert_example's creator.
   local created = status.create(status.alert_severity, nil, nil, {
      srv_port = port,
      what = string.format("%s talks to watched port %d of %s", info["cli.ip"], port, info["srv.ip"]),
   })
   -- Sets the bit and nominates it for the flow alert: flow score 50, client 50,
   -- server 10 (added to the hosts' scores once).
   flow.triggerStatus(created, 50, 50, 10)
end

return script
