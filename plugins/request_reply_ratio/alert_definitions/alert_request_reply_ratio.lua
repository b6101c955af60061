-- ntopng key 40. One alert per host, protocol and side (subtype, e.g. "dns_requests").
local alert_keys = require("alert_keys")

-- granularity: an alert_consts.alerts_granularities entry; params: the counts
local function create(severity, granularity, subtype, params)
   return {
      alert_severity = severity,
      alert_granularity = granularity,
      alert_subtype = subtype,
      alert_type_params = params,
   }
end

return {
   alert_key = alert_keys.ntopng.alert_request_reply_ratio,
   i18n_title = "request_reply_ratio.alert_title",
   i18n_description = "request_reply_ratio.alert_description",
   icon = "fas fa-exclamation",
   creator = create,
}
