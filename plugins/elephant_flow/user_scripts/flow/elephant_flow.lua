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
   -- Only local <-> remote flows larger than the smaller limit reach the hooks.
   prefilter = { peers = "local_remote", min_bytes = { "l2r_bytes_value", "r2l_bytes_value" } },
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
   -- Only local <-> remote flows, judged on two counters: the common case (a flow
   -- below both limits) builds no table.
   local cli_local
   if flow.isLocalToRemote() then
      cli_local = true
   elseif flow.isRemoteToLocal() then
      cli_local = false
   else
      return -- local to local, remote to remote
   end
   -- Bytes leaving and entering the local network.
   local sent, rcvd = flow.getBytesSent(), flow.getBytesRcvd()
   local l2r, r2l
   if cli_local then
      l2r, r2l = sent, rcvd
   else
      l2r, r2l = rcvd, sent
   end
   local up = conf.l2r_bytes_value and l2r > conf.l2r_bytes_value
   local down = conf.r2l_bytes_value and r2l > conf.r2l_bytes_value
   if not (up or down) then
      return
   end
   local info = flow.getInfo()
   if excluded(conf, info) then
      return -- an ignored protocol
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
   if up then
      flow.triggerStatus(created(types.status_elephant_local_to_remote), 40, 20, 20)
   end
   if down then
      flow.triggerStatus(created(types.status_elephant_remote_to_local), 30, 15, 15)
   end
end

-- A long transfer is caught while it runs; a short one at its end.
script.hooks.periodicUpdate = check
script.hooks.flowEnd = check

return script
