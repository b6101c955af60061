-- Most conversations last seconds. One that stays open for hours may be a tunnel,
-- a forgotten remote session or a backdoor calling home; or a known long-running
-- service, which the exclusion list is for.
local user_scripts = require("user_scripts")
local flow_consts = require("flow_consts")

local script = {
   category = user_scripts.script_categories.network,
   default_enabled = true,
   default_value = {
      min_duration = 3600, -- seconds
      -- items = { "SSH" }: application protocols never judged (nDPI names)
   },
   -- Only flows longer than `min_duration` reach the hooks.
   prefilter = { min_duration = "min_duration" },
   hooks = {},
   gui = {
      i18n_title = "long_lived_flow.title",
      i18n_description = "long_lived_flow.description",
      input_builder = "long_lived",
      i18n_field_unit = user_scripts.field_units.seconds,
   },
}

local function check(now, conf)
   local duration = flow.getDuration()
   if not conf.min_duration or duration <= conf.min_duration then
      return
   end
   local info = flow.getInfo()
   for _, name in ipairs(conf.items or {}) do
      if name == info["proto.ndpi_app"] or name == info["proto.ndpi"] then
         return
      end
   end
   local s = flow_consts.status_types.status_longlived
   -- The core creator takes no params (or others): the plugin's own go in after.
   local created = s.create(s.alert_severity)
   created.alert_type_params = {
      cli_ip = info["cli.ip"],
      srv_ip = info["srv.ip"],
      srv_port = info["srv.port"],
      proto = info["proto.ndpi"],
      duration = duration,
      threshold = conf.min_duration,
      ["longlived.threshold"] = conf.min_duration,
   }
   flow.triggerStatus(created, 20, 10, 10)
end

-- periodicUpdate reaches flows while they are still open; flowEnd catches a flow
-- that crossed the limit after its last periodic update.
script.hooks.periodicUpdate = check
script.hooks.flowEnd = check

return script
