-- NXDOMAIN bursts: a local host that receives more DNS error answers (NXDOMAIN and
-- the other non-zero return codes) in a minute than `nxdomain_per_minute` is
-- looking for names that do not exist, typically malware trying the names of its
-- domain generation algorithm. The engine counts the DNS replies each local host
-- receives (host.getDNSInfo(), counted when the DNS flow ends); this script compares
-- the errors of the last minute with the limit and stores one alert for the host
-- and minute. It keeps only the previous total, as a cached value the engine frees
-- with the host.
local user_scripts = require("user_scripts")
local alert_consts = require("alert_consts")
local alerts_api = require("alerts_api")

local script = {
   category = user_scripts.script_categories.security,
   default_enabled = true,
   -- The engine keeps DNS counters for local hosts only.
   local_only = true,
   default_value = { nxdomain_per_minute = 10 },
   hooks = {},
   -- weir: the hook only looks at how the DNS counters moved since the previous
   -- minute, so weir calls it only for hosts whose DNS counters moved.
   prefilter = { changed = "dns" },
   gui = {
      i18n_title = "dns_issues.nxdomain_title",
      i18n_description = "dns_issues.nxdomain_description",
      i18n_field_unit = user_scripts.field_units.packets,
      input_builder = "threshold_cross",
      field_operator = "gt",
      field_min = 1,
      field_max = 100000,
   },
}

function script.hooks.min(params)
   local dns = host.getDNSInfo().dns
   if dns == nil then
      return
   end
   local total = dns.rcvd.num_replies_error
   if total == 0 then
      return -- no error answer yet: the delta is 0 (the first nonzero value counts whole)
   end
   local errors = alerts_api.host_delta_val("dns_reply_errors", params.granularity, total)
   local limit = tonumber(params.user_script_config.nxdomain_per_minute) or 10
   if errors <= limit then
      return
   end
   local ip = params.entity_info
   alerts_api.store(params.alert_entity, {
      alert_type = alert_consts.alert_types.alert_suspicious_activity,
      alert_severity = alert_consts.alert_severities.warning,
      alert_subtype = "nxdomain_burst",
      alert_type_params = {
         cli_ip = ip.ip,
         problem = string.format("more than %d DNS error answers (NXDOMAIN) in the minute ending at %d",
            limit, params.when),
         value = errors,
         threshold = limit,
      },
   })
end

return script
