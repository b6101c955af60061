-- Once a minute, raises one alert on the interface per ghost network seen in the
-- last `window` seconds (recorded by this plugin's flow script). A network not
-- seen for longer is forgotten, and since its alert is not triggered again it is
-- released automatically.
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
   local seen = ntop.getHashAllCache("ghost_networks.seen") or {}
   local window = params.user_script_config.window or 300
   local def = alert_consts.alert_types.alert_ghost_network
   local nets = {}
   for net in pairs(seen) do
      nets[#nets + 1] = net
   end
   table.sort(nets) -- a stable order of alerts
   for _, net in ipairs(nets) do
      local last, flows = seen[net]:match("^(%d+),(%d+)$")
      last, flows = tonumber(last), tonumber(flows)
      local hosts_key = "ghost_networks.hosts." .. net
      if last and params.when - last <= window then
         local hosts = {}
         for ip in pairs(ntop.getHashAllCache(hosts_key) or {}) do
            hosts[#hosts + 1] = ip
         end
         table.sort(hosts)
         -- 4.2's creator: (severity, granularity, network), no params of its own.
         local info = def.create(alert_consts.alert_severities.warning,
            alert_consts.alerts_granularities[params.granularity], net)
         info.alert_type_params = {
            network = net,
            hosts = table.concat(hosts, ", "),
            num_hosts = #hosts,
            flows = flows,
         }
         alerts_api.trigger(params.alert_entity, info, nil, params.cur_alerts)
      else
         ntop.delHashCache("ghost_networks.seen", net)
         for ip in pairs(ntop.getHashAllCache(hosts_key) or {}) do
            ntop.delHashCache(hosts_key, ip)
         end
      end
   end
end

return script
