-- An "elephant" is a flow that moves far more data than the others: a backup, a
-- leak, a misused link. Only flows between a local and a remote host are judged,
-- each direction against its own limit: local to remote (uploads, where leaks
-- show) and remote to local (downloads).
local user_scripts = require("user_scripts")
local flow_consts = require("flow_consts")

local MB = 1024 * 1024

local script = {
   category = user_scripts.script_categories.network,
   default_enabled = true,
   default_value = {
      l2r_bytes_value = 100 * MB, -- uploads
      r2l_bytes_value = 1024 * MB, -- downloads
      -- items = { "Steam" }: application protocols never judged (nDPI names)
   },
   hooks = {},
   gui = {
      i18n_title = "elephant_flow.title",
      i18n_description = "elephant_flow.description",
      input_builder = "elephant_flows",
      i18n_field_unit = user_scripts.field_units.bytes,
   },
}

local function excluded(conf, info)
   for _, name in ipairs(conf.items or {}) do
      if name == info["proto.ndpi_app"] or name == info["proto.ndpi"] then
         return true
      end
   end
   return false
end

local function check(now, conf)
   local info = flow.getInfo()
   local cli_local, srv_local = info["cli.localhost"], info["srv.localhost"]
   if cli_local == srv_local or excluded(conf, info) then
      return -- local to local, remote to remote, or an ignored protocol
   end
   -- Bytes leaving and entering the local network.
   local l2r, r2l
   if cli_local then
      l2r, r2l = info["cli2srv.bytes"], info["srv2cli.bytes"]
   else
      l2r, r2l = info["srv2cli.bytes"], info["cli2srv.bytes"]
   end
   local details = {
      cli_ip = info["cli.ip"],
      srv_ip = info["srv.ip"],
      proto = info["proto.ndpi"],
      l2r_bytes = l2r,
      r2l_bytes = r2l,
      l2r_threshold = conf.l2r_bytes_value,
      r2l_threshold = conf.r2l_bytes_value,
   }
   local types = flow_consts.status_types
   -- 4.2's alert_flow_misbehaviour creator takes the two thresholds; the plugin's own
   -- details go beside them.
   local function created(s)
      local c = s.create(s.alert_severity, conf.l2r_bytes_value, conf.r2l_bytes_value)
      for k, v in pairs(details) do c.alert_type_params[k] = v end
      return c
   end
   if conf.l2r_bytes_value and l2r > conf.l2r_bytes_value then
      flow.triggerStatus(created(types.status_elephant_local_to_remote), 40, 20, 20)
   end
   if conf.r2l_bytes_value and r2l > conf.r2l_bytes_value then
      flow.triggerStatus(created(types.status_elephant_remote_to_local), 30, 15, 15)
   end
end

-- A long transfer is caught while it runs; a short one at its end.
script.hooks.periodicUpdate = check
script.hooks.flowEnd = check

return script
