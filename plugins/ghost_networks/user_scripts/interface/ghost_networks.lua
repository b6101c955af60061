-- Once a minute, raises one alert on the interface per ghost network seen in the
-- last `window` seconds: a subnet of hosts whose addresses only exist on local
-- segments (private, shared, link-local or unique-local ranges) but lie outside
-- every configured local network. The engine notes such peers on every new flow
-- (`interface.getGhostNetworks()`), so this script reads one small table a minute. A
-- network not seen for longer is not triggered again, so its alert is released.
local user_scripts = require("user_scripts")
local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")

local script = {
   category = user_scripts.script_categories.network,
   default_enabled = true,
   default_value = { window = 300 }, -- seconds
   hooks = {},
   gui = {
      i18n_title = "ghost_networks.title",
      i18n_description = "ghost_networks.description",
      i18n_field_unit = user_scripts.field_units.seconds,
   },
}

function script.hooks.min(params)
   local seen = interface.getGhostNetworks()
   local window = params.user_script_config.window or 300
   local def = alert_consts.alert_types.alert_ghost_network
   local nets = {}
   for net, g in pairs(seen) do
      if params.when - g.last_seen <= window then
         nets[#nets + 1] = net
      end
   end
   table.sort(nets) -- a stable order of alerts
   for _, net in ipairs(nets) do
      local g = seen[net]
      table.sort(g.hosts)
      local info = def.create(alert_consts.alert_severities.warning,
         alert_consts.alerts_granularities[params.granularity], net)
      info.alert_type_params = {
         network = net,
         hosts = table.concat(g.hosts, ", "),
         num_hosts = g.num_hosts,
         flows = g.flows,
      }
      alerts_api.trigger(params.alert_entity, info, nil, params.cur_alerts)
   end
end

return script
